import { configSchema } from '#config/schema.ts';
import { compileTopicPatterns } from '#core/patterns/matcher.ts';
import { Prng } from '#core/prng.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import type { SimulatedOrg } from '../zoom-simulator/org.ts';
import { formatDay, isoSeconds as iso } from '../zoom-simulator/org.ts';
import { benignAuditTrail } from './audit-trail.ts';
import { backgroundPatterns, generateBackground } from './background.ts';
import { MeetingFactory, SessionBuilder, generateCalendar } from './calendar.ts';
import { privilegedReview, routineChatFiles } from './chat-files.ts';
import { generatePeople } from './generate-people.ts';
import { plantIncidents } from './incidents.ts';
import { benignServiceDesk } from './support-desk.ts';
import { emptyExtras, type PlantedExtras } from './incidents/kit.ts';
import { identitySignIns, zoomUsesOf, type IdentitySignInRow, type ZoomUse } from './identity.ts';
import type { Manifest } from './manifest.ts';
import { routineMeetingChanges } from './meeting-changes.ts';
import { routineAdmin } from './routine-admin.ts';
import { accountEvents, adminLog, dataAccessFeed, recordingFates, signIns, type DataAccessRow } from './routine-logs.ts';
import { toSimulatedOrg } from './simulator-org.ts';
import { timeline } from './timeline.ts';
import { meetingEvents, recordingRemovedEvent, type WebhookEvent } from './webhooks.ts';

/*
 * A demo scenario (issue #8): a synthetic organisation with the benign background a real company has (background.ts
 * names its patterns in the manifest) and, unless benign-only, planted incidents for every detection, as the Zoom API
 * simulator's data, signed-webhook bodies, a data-access feed and a manifest. Deterministic: the same options give the
 * same scenario.
 */

/** How big, how long, which seed, and whether to plant incidents. */
export interface ScenarioOptions {
  readonly seed: number;
  /** Accounts of the organisation, inactive and pending ones included. */
  readonly users: number;
  readonly days: number;
  /** The scenario's end (epoch ms); nothing happens after it. */
  readonly end: number;
  /** Benign traffic only: no planted incidents. */
  readonly benign: boolean;
}

/** The smallest organisation and range in which every incident can be planted with its baseline. */
export const MIN_USERS = 40;
export const MIN_DAYS = 7;
export const MAX_USERS = 5_000;
export const MAX_DAYS = 60;

/** A signed-webhook body, when its event happened and when Zoom delivered it (later when only a retry got through). */
export interface ScenarioWebhook {
  readonly at: number;
  readonly deliveredAt: number;
  readonly event: string;
  readonly body: string;
}

/** The config keys the scenario decides (the rest are the defaults). */
export interface ScenarioConfig {
  readonly internalDomains: readonly string[];
  readonly watchedUsers: readonly string[];
  readonly minClientVersion: string;
  readonly planTier: 'business';
}

/** Everything the demo feeds the pipeline, and the truth to score it against. */
export interface Scenario {
  readonly options: ScenarioOptions;
  /** The Zoom API simulator's organisation (API data for the pollers and the correlation). */
  readonly org: SimulatedOrg;
  /** Webhook bodies in delivery order, for events from `webhooksFrom` on, delivered by the end. */
  readonly webhooks: readonly ScenarioWebhook[];
  readonly webhooksFrom: number;
  readonly dataAccess: readonly DataAccessRow[];
  /** The identity provider's sign-ins (identity.localFile): behind every Zoom use but the planted attacks'. */
  readonly identity: readonly IdentitySignInRow[];
  readonly config: ScenarioConfig;
  readonly manifest: Manifest;
}

const ACCOUNT_ID = 'sim-account-id';
const SENSITIVE = compileTopicPatterns(configSchema.parse({}).sensitiveMeetingPatterns);
const sensitive = (topic: string) => SENSITIVE.some((r) => r.test(topic));

/** Generates the scenario for `options`. */
export function generateScenario(options: ScenarioOptions): Scenario {
  const { seed, users, days, end, benign } = options;
  if (!Number.isInteger(users) || users < MIN_USERS || users > MAX_USERS)
    throw new RangeError(`users must be ${MIN_USERS}-${MAX_USERS}, got ${users}`);
  if (!Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS) throw new RangeError(`days must be ${MIN_DAYS}-${MAX_DAYS}, got ${days}`);
  const t = timeline(end, days);
  const people = generatePeople(seed, users, t);
  const factory = new MeetingFactory(new Prng(seed, 'scenario-meetings'));
  const sessions = new SessionBuilder(new Prng(seed, 'scenario-sessions'), t);
  const meetings = generateCalendar(seed, people, t, factory, sessions);
  const bg = generateBackground(seed, people, t, factory, sessions, meetings);
  const planted: PlantedExtras = benign
    ? emptyExtras()
    : plantIncidents({ seed, people, t, meetings, factory, sessions, accountId: ACCOUNT_ID, sensitive });
  privilegedReview(seed, people, t, meetings);
  meetings.sort((a, b) => a.start - b.start || a.id - b.id);
  const changes = routineMeetingChanges(seed, people, t, meetings, ACCOUNT_ID);
  const patterns = [...backgroundPatterns(people, meetings, bg), ...changes.patterns];

  const rng = new Prng(seed, 'scenario-background');
  const background = recordingFates(rng, people, t, meetings, sensitive);
  // After the recordings' fates: a recording published on purpose is one nobody deletes.
  patterns.push(...benignAuditTrail(seed, people, meetings, sensitive));
  const activities = [...signIns(rng, people, t, meetings, planted.versions), ...planted.activities].sort(byTime);
  const admin = routineAdmin(seed, people, t, ACCOUNT_ID);
  const chatFiles = routineChatFiles(people, t, meetings, ACCOUNT_ID, sensitive);
  const operationLogs = [...adminLog(rng, people, t, meetings), ...admin.operationLogs, ...planted.operationLogs].sort(byTime);
  const dataAccess = [...dataAccessFeed(rng, people, t, meetings), ...planted.dataAccess].sort((a, b) =>
    a.event_time < b.event_time ? -1 : a.event_time > b.event_time ? 1 : 0,
  );
  // Last, from its own stream, after every generator that walks the meetings with a shared one.
  patterns.push(...benignServiceDesk(seed, people, t, meetings, factory, sessions, new Set(people.watched)));

  const events: WebhookEvent[] = [];
  for (const m of meetings) {
    events.push(...meetingEvents(m, ACCOUNT_ID, t.liveFrom, end));
    const removed = recordingRemovedEvent(m, ACCOUNT_ID);
    if (removed && removed.at >= t.liveFrom) events.push(removed);
  }
  events.push(...accountEvents(people, t, ACCOUNT_ID), ...changes.events, ...planted.events.filter((e) => e.at >= t.liveFrom));
  events.push(...accountEvents(people, t, ACCOUNT_ID), ...admin.events, ...chatFiles.events, ...planted.events.filter((e) => e.at >= t.liveFrom));
  // Posted as Zoom delivers them; stable, so events of one instant keep their order (started before joins, joins
  // before leaves).
  const delivered = (e: WebhookEvent) => e.deliveredAt ?? e.at;
  const webhooks = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => delivered(a.e) - delivered(b.e) || a.i - b.i)
    .map(({ e }) => ({
      at: e.at,
      deliveredAt: delivered(e),
      event: e.event,
      body: webhookBody({ event: e.event, eventTs: e.at, payload: e.payload }),
    }));

  const org = toSimulatedOrg(people, t, meetings, activities, operationLogs, planted.roles, seed, ACCOUNT_ID);
  const attack = (u: ZoomUse) => planted.unmirrored.some((a) => a.email === u.email.toLowerCase() && a.at === u.at && a.ip === u.ip);
  const identity = [...identitySignIns(zoomUsesOf(org, people.domains), { unmirrored: attack }), ...planted.identity].sort((a, b) =>
    a.time < b.time ? -1 : a.time > b.time ? 1 : 0,
  );
  const config: ScenarioConfig = { internalDomains: people.domains, watchedUsers: people.watched, minClientVersion: '6.0.0', planTier: 'business' };
  const manifest: Manifest = {
    seed,
    users,
    days,
    benign,
    from: formatDay(t.days[0]!),
    to: formatDay(t.days[t.days.length - 1]!),
    end: iso(end),
    webhooks_from: iso(t.liveFrom),
    counts: {
      users: org.users.length,
      meetings: org.meetings.length,
      participant_sessions: org.meetings.reduce((n, m) => n + m.participants.length, 0),
      activities: activities.length,
      operation_logs: operationLogs.length,
      recordings: org.recordings.length,
      deleted_recordings: background.deleted,
      webhooks: webhooks.length,
      data_access_rows: dataAccess.length,
      identity_rows: identity.length,
    },
    incidents: planted.incidents,
    background: [...patterns, ...admin.patterns, ...chatFiles.patterns],
    meetings: meetings.map((m) => ({ meeting_uuid: m.uuid, meeting_id: String(m.id), topic: m.topic, start_time: iso(m.start) })),
  };
  return { options, org, webhooks, webhooksFrom: t.liveFrom, dataAccess, identity, config, manifest };
}

const byTime = <T extends { time: string }>(a: T, b: T) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
