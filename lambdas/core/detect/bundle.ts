import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DetectionDefinitionError, parseDetection, type Detection } from './detection.ts';
import { DetectionRegistry } from './registry.ts';

/** The file the functions that raise alerts read beside their bundled code. */
export const DETECTION_BUNDLE_FILE = 'detections.json';

const bundleSchema = z.object({
  version: z.literal(2),
  detections: z.array(
    z.object({
      meta: z.record(z.string(), z.unknown()),
      sql: z.string().optional(),
      daysSql: z.string().optional(),
      values: z.record(z.string(), z.number().int()),
    }),
  ),
  queries: z.record(z.string(), z.string()),
});

/**
 * The registry as one JSON document, shipped with every function that raises alerts (a Lambda cannot read `queries/`
 * at run time): each detection's metadata, SQL and parameter values (config overrides applied), and the named
 * correlation queries. Deterministic: the same registry always gives the same text, so its hash names the deployed set.
 */
export function detectionBundle(registry: DetectionRegistry): string {
  return JSON.stringify({
    version: 2,
    detections: registry.detections.map(({ sql, daysSql, values, ...meta }) => ({
      meta,
      ...(sql !== undefined ? { sql } : {}),
      ...(daysSql !== undefined ? { daysSql } : {}),
      values,
    })),
    queries: Object.fromEntries(Object.entries(registry.queries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  });
}

/**
 * The registry of a bundle, each detection validated again with parseDetection and its values checked against its
 * parameters. Throws DetectionDefinitionError for a malformed bundle, an invalid detection or a duplicate id.
 */
export function parseDetectionBundle(text: string): DetectionRegistry {
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
  const detections = parsed.data.detections.map(({ meta, sql, daysSql, values }, i): Detection => {
    const d = parseDetection(typeof meta.id === 'string' ? meta.id : `#${i}`, meta, sql, daysSql);
    const names = Object.keys(d.parameters).sort();
    if (JSON.stringify(Object.keys(values).sort()) !== JSON.stringify(names)) {
      throw new DetectionDefinitionError(
        `${DETECTION_BUNDLE_FILE}: detection ${d.id} has values for ${Object.keys(values).join(', ') || 'nothing'}, its parameters are ${names.join(', ') || 'none'}`,
      );
    }
    return { ...d, values };
  });
  return new DetectionRegistry(detections, parsed.data.queries);
}

/** The SHA-256 (hex) a function is deployed with for its bundle (environment variable DETECTIONS_SHA256). */
export function bundleSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The registry in a function's bundle file, checked against the hash the construct computed from the same registry
 * (a stale or swapped file fails at init, not with wrong alerts).
 */
export function registryFromBundle(text: string, sha256: string): DetectionRegistry {
  const actual = bundleSha256(text);
  if (actual !== sha256)
    throw new DetectionDefinitionError(`${DETECTION_BUNDLE_FILE} has sha256 ${actual}, the function was deployed with ${sha256}: redeploy`);
  return parseDetectionBundle(text);
}
