import * as z from 'zod';
import { DetectionDefinitionError, parseDetection, type Detection } from './detection.ts';

/** The file the detection runner reads beside its bundled code. */
export const DETECTION_BUNDLE_FILE = 'detections.json';

const bundleSchema = z.object({
  version: z.literal(1),
  detections: z.array(z.object({ meta: z.record(z.string(), z.unknown()), sql: z.string() })),
});

/**
 * The detections as one JSON document, shipped with the runner function (a Lambda cannot read `queries/` at run
 * time). Deterministic: the same detections always give the same text, so its hash names the deployed set.
 */
export function detectionBundle(detections: readonly Detection[]): string {
  return JSON.stringify({ version: 1, detections: detections.map(({ sql, ...meta }) => ({ meta, sql })) });
}

/**
 * The detections of a bundle, each validated again with parseDetection. Throws DetectionDefinitionError for a
 * malformed bundle, an invalid detection or a duplicate id.
 */
export function parseDetectionBundle(text: string): Detection[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new DetectionDefinitionError(`${DETECTION_BUNDLE_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = bundleSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DetectionDefinitionError(`${DETECTION_BUNDLE_FILE} is malformed: ${problems.join('; ')}`);
  }
  const seen = new Set<string>();
  return parsed.data.detections.map(({ meta, sql }, i) => {
    const id = typeof meta.id === 'string' ? meta.id : `#${i}`;
    if (seen.has(id)) throw new DetectionDefinitionError(`${DETECTION_BUNDLE_FILE} holds detection ${id} twice`);
    seen.add(id);
    return parseDetection(id, meta, sql);
  });
}
