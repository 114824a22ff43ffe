import { DetectionDefinitionError, scheduledDetections, type Detection, type ScheduledDetection } from './detection.ts';

/**
 * The detection registry: every detection any path can raise (queries/detections/<id>/detection.yml) and the named
 * queries the correlation steps run (queries/correlation/*.sql). Loaded from `queries/` by the CLI, synth and the
 * tests, and from the bundled `detections.json` by the Lambda functions; code looks its detection up here by id and
 * holds no title, runbook, severity or threshold of its own.
 */
export class DetectionRegistry {
  private readonly byId: ReadonlyMap<string, Detection>;

  constructor(
    /** Every detection, sorted by id. */
    readonly detections: readonly Detection[],
    /** Named SQL the correlation steps run, by name (file name without `.sql`). */
    readonly queries: Readonly<Record<string, string>> = {},
  ) {
    const byId = new Map<string, Detection>();
    for (const d of detections) {
      if (byId.has(d.id)) throw new DetectionDefinitionError(`detection ${d.id} is defined twice`);
      byId.set(d.id, d);
    }
    this.byId = byId;
  }

  /** The detection with this id; throws DetectionDefinitionError when the registry lacks it. */
  get(id: string): Detection {
    const d = this.byId.get(id);
    if (!d) throw new DetectionDefinitionError(`no detection ${id} in the registry (queries/detections/${id}/detection.yml)`);
    return d;
  }

  /** Whether the registry holds this id. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The detections that run on a schedule. */
  scheduled(): ScheduledDetection[] {
    return scheduledDetections(this.detections);
  }

  /** A named correlation query; throws DetectionDefinitionError when the registry lacks it. */
  query(name: string): string {
    const sql = this.queries[name];
    if (sql === undefined) throw new DetectionDefinitionError(`no query ${name} in the registry (queries/correlation/${name}.sql)`);
    return sql;
  }

  /** The same registry with other detections (e.g. after config overrides). */
  withDetections(detections: readonly Detection[]): DetectionRegistry {
    return new DetectionRegistry(detections, this.queries);
  }
}
