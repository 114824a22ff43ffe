import type { Severity } from '#core/alerts/alert.ts';

/** One alert as the report shows it (from the lake's `alerts` table). */
export interface ReportAlert {
  readonly alertId: string;
  readonly detectionId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly source: string;
  /** ISO-8601 UTC. */
  readonly firstSeen: string;
  /** ISO-8601 UTC. */
  readonly lastSeen: string;
  readonly entities: Readonly<Record<string, string>>;
}

/** Per host: meetings that external or unauthenticated participants joined. */
export interface HostExposure {
  readonly host: string;
  readonly exposedMeetings: number;
  readonly distinctExternals: number;
  readonly guestsWithoutEmail: number;
  readonly externalDomains: string;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
}

/** Per meeting instance: its external or unauthenticated participants. */
export interface MeetingExposure {
  readonly meetingUuid: string;
  readonly meetingId: string | null;
  readonly topic: string | null;
  readonly host: string;
  readonly startTime: string | null;
  readonly participants: number;
  readonly externals: number;
  readonly guestsWithoutEmail: number;
  readonly externalDomains: string;
}

/** Per external email domain ('(no email)' for guests): who from it joined, where, and when. */
export interface ExternalDomain {
  readonly domain: string;
  readonly participants: number;
  readonly meetings: number;
  readonly hosts: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
}

/** Users per Zoom client version (each user's latest), flagged when below the configured minimum. */
export interface ClientVersion {
  readonly version: string;
  readonly users: number;
  /** NULL for a version that is not numeric. */
  readonly belowMinimum: boolean | null;
}

/** A person in the collaboration graph: an internal or external email, or a guest's display name. */
export interface GraphNode {
  readonly id: string;
  readonly kind: 'internal' | 'external' | 'guest';
  /** Meeting instances the person was in. */
  readonly meetings: number;
}

/** Two people who were in the same meeting instances, `weight` times. */
export interface GraphEdge {
  readonly source: string;
  readonly target: string;
  readonly weight: number;
}

/** Counts for the summary line. */
export interface ReportSummary {
  readonly meetings: number;
  readonly people: number;
  readonly internalPeople: number;
  readonly externalPeople: number;
  readonly alerts: number;
  /** Earliest and latest time seen in meetings, joins and alerts (ISO-8601), NULL on an empty lake. */
  readonly from: string | null;
  readonly to: string | null;
}

/** Everything the report shows: the results of the report's queries, and a little context. */
export interface ReportData {
  /** ISO-8601 UTC time the report was made. */
  readonly generatedAt: string;
  /** The data folder, as shown to the reader. */
  readonly dir: string;
  readonly internalDomains: readonly string[];
  readonly minClientVersion: string;
  /** Meetings with more participants than this add no co-attendance edges (all-hands would connect everyone). */
  readonly maxMeetingSizeForEdges: number;
  readonly summary: ReportSummary;
  readonly alerts: readonly ReportAlert[];
  readonly exposureByHost: readonly HostExposure[];
  readonly exposureByMeeting: readonly MeetingExposure[];
  readonly externalDomains: readonly ExternalDomain[];
  readonly clientVersions: readonly ClientVersion[];
  readonly graph: { readonly nodes: readonly GraphNode[]; readonly edges: readonly GraphEdge[] };
}
