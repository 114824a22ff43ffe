import type { EntityKind } from '#core/alerts/alert.ts';

/*
 * The scenario's manifest: what was planted, where, and what should find it, and the benign background patterns an
 * alert on ordinary traffic can be put down to. The demo scores its alerts against it and the e2e test reads it back
 * from `<dir>/demo-manifest.json`.
 */

/** The paths an alert can come from. */
export type AlertPath = 'realtime' | 'scheduled' | 'correlation';

/** One planted incident. */
export interface PlantedIncident {
  /** Stable name within a scenario, e.g. `impossible-travel`. */
  readonly id: string;
  /** The detection id that should raise it. */
  readonly detection: string;
  /** The paths expected to raise it (a finding raised by two paths is notified once, by the first). */
  readonly paths: readonly AlertPath[];
  /** When the incident's key event happened (ISO-8601 UTC). */
  readonly time: string;
  readonly summary: string;
  /** Entities an alert of `detection` must carry (compared case-insensitively) to count as finding the incident. */
  readonly match: Readonly<Partial<Record<EntityKind, string>>>;
  /** Every planted identity (actors, their IPs and machines, planted meetings): an alert naming one is about planted activity. */
  readonly related: readonly string[];
}

/** A benign pattern of the background (an investor update, a VPN, ...) and the identities it involves. */
export interface BackgroundPattern {
  /** Stable name, e.g. `investor-update`. */
  readonly id: string;
  readonly summary: string;
  /** Its people (emails, display names), IPs and meetings (uuids and meeting numbers). */
  readonly related: readonly string[];
}

/** A meeting of the scenario, for naming meetings in the alert table. */
export interface ManifestMeeting {
  readonly meeting_uuid: string;
  readonly meeting_id: string;
  readonly topic: string;
  readonly start_time: string;
}

/** What the demo writes next to the lake: the scenario's parameters, sizes and planted incidents. */
export interface Manifest {
  readonly seed: number;
  readonly users: number;
  readonly days: number;
  readonly benign: boolean;
  /** First and last day (yyyy-mm-dd). */
  readonly from: string;
  readonly to: string;
  /** The scenario's end: nothing happens after it (ISO-8601 UTC). */
  readonly end: string;
  /** Webhooks cover events from here on; the API data covers the whole range. */
  readonly webhooks_from: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly incidents: readonly PlantedIncident[];
  /** The benign background, most specific pattern first (always generated, planted incidents or not). */
  readonly background: readonly BackgroundPattern[];
  readonly meetings: readonly ManifestMeeting[];
}

/** The parts of an alert the score reads (an alerts.jsonl line's `detail`). */
export interface ScoredAlert {
  readonly detection_id: string;
  readonly source: string;
  readonly severity: string;
  readonly title: string;
  readonly first_seen: string;
  readonly entities: Readonly<Partial<Record<string, string>>>;
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether an alert finds an incident: the same detection and every entity of the incident's `match`. */
export function findsIncident(alert: ScoredAlert, incident: PlantedIncident): boolean {
  return alert.detection_id === incident.detection && Object.entries(incident.match).every(([kind, value]) => same(alert.entities[kind], value));
}

/** The incident an alert is about: the one it finds, else one whose planted identities it names. */
export function incidentOf(alert: ScoredAlert, incidents: readonly PlantedIncident[]): PlantedIncident | undefined {
  const found = incidents.find((i) => findsIncident(alert, i));
  if (found) return found;
  const values = Object.values(alert.entities).filter((v): v is string => typeof v === 'string');
  return incidents.find((i) => i.related.some((r) => values.some((v) => same(v, r))));
}

/** How the alerts compare with the manifest. */
export interface Score {
  readonly found: readonly PlantedIncident[];
  readonly missed: readonly PlantedIncident[];
  /** Alerts about nothing planted: false positives on the benign traffic. */
  readonly benign: readonly ScoredAlert[];
}

/** Scores alerts against the planted incidents. */
export function score(incidents: readonly PlantedIncident[], alerts: readonly ScoredAlert[]): Score {
  const found = incidents.filter((i) => alerts.some((a) => findsIncident(a, i)));
  return {
    found,
    missed: incidents.filter((i) => !found.includes(i)),
    benign: alerts.filter((a) => incidentOf(a, incidents) === undefined),
  };
}

/** The background pattern an alert names: the first (most specific) whose identities one of its entities is. */
export function patternOf(alert: ScoredAlert, patterns: readonly BackgroundPattern[]): BackgroundPattern | undefined {
  const values = Object.values(alert.entities).filter((v): v is string => typeof v === 'string');
  return patterns.find((p) => p.related.some((r) => values.some((v) => same(v, r))));
}

/** One detection's share of a demo run. */
export interface DetectionSummary {
  readonly alerts: number;
  /** Alerts that find a planted incident or name its identities (as the score counts them). */
  readonly planted_alerts: number;
  readonly benign_alerts: number;
  /** Benign alerts by the background pattern they name (`unattributed`: none). */
  readonly benign_by_pattern: Readonly<Record<string, number>>;
  /** Ids of the planted incidents of this detection that were found and missed. */
  readonly found: readonly string[];
  readonly missed: readonly string[];
}

/** The score and every detection's alerts, planted and benign; for `zoomlake demo --json`. */
export interface ScoreSummary {
  readonly score: {
    readonly planted: number;
    readonly found: number;
    readonly missed: number;
    readonly alerts: number;
    readonly benign_alerts: number;
  };
  /** Every detection id given, and any other that alerted or was planted. */
  readonly detections: Readonly<Record<string, DetectionSummary>>;
  /** The benign alerts themselves, with the background pattern each names. */
  readonly benign_alerts: readonly (ScoredAlert & { readonly pattern: string })[];
}

/** Scores alerts per detection, with the same matching as `score`. */
export function summarize(manifest: Manifest, alerts: readonly ScoredAlert[], detectionIds: readonly string[]): ScoreSummary {
  const s = score(manifest.incidents, alerts);
  const benign = s.benign.map((a) => ({ ...a, pattern: patternOf(a, manifest.background)?.id ?? 'unattributed' }));
  const ids = [...new Set([...detectionIds, ...alerts.map((a) => a.detection_id), ...manifest.incidents.map((i) => i.detection)])].sort();
  const detections = Object.fromEntries(
    ids.map((id): [string, DetectionSummary] => {
      const mine = benign.filter((a) => a.detection_id === id);
      const byPattern: Record<string, number> = {};
      for (const a of mine) byPattern[a.pattern] = (byPattern[a.pattern] ?? 0) + 1;
      const all = alerts.filter((a) => a.detection_id === id).length;
      return [
        id,
        {
          alerts: all,
          planted_alerts: all - mine.length,
          benign_alerts: mine.length,
          benign_by_pattern: byPattern,
          found: s.found.filter((i) => i.detection === id).map((i) => i.id),
          missed: s.missed.filter((i) => i.detection === id).map((i) => i.id),
        },
      ];
    }),
  );
  return {
    score: {
      planted: manifest.incidents.length,
      found: s.found.length,
      missed: s.missed.length,
      alerts: alerts.length,
      benign_alerts: s.benign.length,
    },
    detections,
    benign_alerts: benign,
  };
}

/** The one-line score the demo prints. */
export function scoreLine(incidents: readonly PlantedIncident[], s: Score): string {
  return `score: planted incidents found ${s.found.length}/${incidents.length}, alerts on benign traffic ${s.benign.length}`;
}
