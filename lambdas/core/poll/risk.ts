import { firstText, instant, objectOrEmpty, nonEmptyText } from '../lake/cell-coercion.ts';
import { dtOf } from '../lake/records.ts';
import { compileTopicPatterns } from '../patterns/matcher.ts';
import type { StateStore } from '../ports.ts';

/**
 * Risk scoring of past meetings, so participant details (the costly dashboard API) are fetched for the risky ones
 * first when the daily budget cannot cover every meeting. Scoring is pure; the signal marks the `meetings` source
 * leaves and the backlog of skipped meetings live in the StateStore.
 */

/** The configuration the scoring reads (the fixed config keys of DESIGN §9). */
export interface RiskSettings {
  /** Email domains of the organisation; an email outside them (or their subdomains) is external. */
  readonly internalDomains: readonly string[];
  /** Case-insensitive regular expressions matched against meeting topics. */
  readonly sensitiveMeetingPatterns: readonly string[];
  /** Emails of executives and other high-value users. */
  readonly watchedUsers: readonly string[];
}

/** No configured signals: only what the listing itself shows counts. */
export const NO_RISK_SETTINGS: RiskSettings = { internalDomains: [], sensitiveMeetingPatterns: [], watchedUsers: [] };

/** Why a meeting is risky. */
export type RiskSignal = 'external' | 'unauthenticated' | 'sensitive_topic' | 'watched_host';
/** high: two or more signals; elevated: one; routine: none. */
export type RiskClass = 'high' | 'elevated' | 'routine';
/** Counts per risk class. */
export type ByRiskClass = Readonly<Record<RiskClass, number>>;

const SIGNALS: readonly RiskSignal[] = ['external', 'unauthenticated', 'sensitive_topic', 'watched_host'];
// Outsiders in the meeting weigh most: they are what the detail fields (ip, device, location) are needed for.
const WEIGHTS: Readonly<Record<RiskSignal, number>> = { external: 4, unauthenticated: 4, sensitive_topic: 2, watched_host: 2 };
const DAY_MS = 86_400_000;

/** The settings compiled once: patterns for linear-time matching, emails and domains lower-cased. */
export interface RiskRules {
  readonly sensitiveTopic: (topic: string | null) => boolean;
  readonly watched: (email: string | null) => boolean;
  /** True for an email outside the internal domains; always false when no internal domain is configured. */
  readonly external: (email: string | null) => boolean;
}

/** Compiles the settings; a pattern that is not a portable regular expression is a clear error naming it. */
export function compileRisk(settings: RiskSettings): RiskRules {
  const patterns = compileTopicPatterns(settings.sensitiveMeetingPatterns);
  const watched = new Set(settings.watchedUsers.map((e) => e.toLowerCase()));
  const domains = settings.internalDomains.map((d) => d.toLowerCase());
  return {
    sensitiveTopic: (topic) => topic !== null && patterns.some((r) => r.test(topic)),
    watched: (email) => email !== null && watched.has(email.toLowerCase()),
    external: (email) => {
      // Without internal domains every address would look external, which ranks nothing; the signal is off then.
      if (email === null || domains.length === 0) return false;
      const domain = email.toLowerCase().split('@')[1] ?? '';
      return !domains.some((d) => domain === d || domain.endsWith(`.${d}`));
    },
  };
}

/** The signals a meeting listing item shows: topic, host, and (when the listing has them) outsider counts. */
export function listingSignals(item: unknown, rules: RiskRules): RiskSignal[] {
  const m = objectOrEmpty(item);
  const signals = new Set<RiskSignal>();
  if (rules.sensitiveTopic(nonEmptyText(m.topic))) signals.add('sensitive_topic');
  if (rules.watched(firstText(m.host_email, m.email, m.user_email))) signals.add('watched_host');
  // The report listing counts participants from the account apart: anyone else is external or a guest.
  const all = m.participants_count;
  const mine = m.participants_count_my_account;
  if (typeof all === 'number' && typeof mine === 'number' && all > mine) signals.add('external');
  // Dial-in callers never sign in.
  if (m.has_pstn === true) signals.add('unauthenticated');
  return SIGNALS.filter((s) => signals.has(s));
}

/** The signals a meeting's report participants show: external emails, participants without a Zoom user id. */
export function participantSignals(participants: readonly unknown[], rules: RiskRules): RiskSignal[] {
  let external = false;
  let unauthenticated = false;
  for (const item of participants) {
    const p = objectOrEmpty(item);
    if (rules.external(firstText(p.user_email, p.email))) external = true;
    // Zoom fills id / participant_user_id only for participants signed in to a Zoom account.
    if (nonEmptyText(p.id) === null && nonEmptyText(p.participant_user_id) === null) unauthenticated = true;
  }
  return SIGNALS.filter((s) => (s === 'external' && external) || (s === 'unauthenticated' && unauthenticated));
}

/** The weighted score ranking meetings (higher first). */
export const riskScore = (signals: readonly RiskSignal[]): number => signals.reduce((sum, s) => sum + WEIGHTS[s], 0);
/** The class a meeting is counted under when skipped. */
export const riskClass = (signals: readonly RiskSignal[]): RiskClass =>
  signals.length >= 2 ? 'high' : signals.length === 1 ? 'elevated' : 'routine';
/** Zero counts. */
export const noneByClass = (): Record<RiskClass, number> => ({ high: 0, elevated: 0, routine: 0 });
/** The union of signal lists, in a fixed order. */
export const mergeSignals = (...lists: readonly (readonly RiskSignal[])[]): RiskSignal[] => SIGNALS.filter((s) => lists.some((l) => l.includes(s)));

/** A past meeting whose participant details are wanted. */
export interface DetailCandidate {
  readonly uuid: string;
  readonly meetingId: string | null;
  /** UTC start day (yyyy-mm-dd): where its signal marks are kept. */
  readonly day: string;
  readonly signals: readonly RiskSignal[];
  /** Whether it came from the backlog of an earlier run. */
  readonly fromBacklog: boolean;
}

/** A listing item as a candidate (undefined without a uuid); `fallbackDay` when it lacks a start time. */
export function candidateOf(item: unknown, rules: RiskRules, fallbackDay: string): DetailCandidate | undefined {
  const m = objectOrEmpty(item);
  const uuid = nonEmptyText(m.uuid);
  if (uuid === null) return undefined;
  const start = instant(m.start_time);
  const meetingId = typeof m.id === 'number' || (typeof m.id === 'string' && m.id !== '') ? String(m.id) : null;
  return { uuid, meetingId, day: start === null ? fallbackDay : dtOf(start), signals: listingSignals(item, rules), fromBacklog: false };
}

/** Highest risk first; ties oldest day first, then by uuid, so every run ranks alike. */
export function rankCandidates(candidates: readonly DetailCandidate[]): DetailCandidate[] {
  return [...candidates].sort(
    (a, b) =>
      riskScore(b.signals) - riskScore(a.signals) || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0),
  );
}

// ---- signal marks left by the meetings source ----

const MARK_TTL_DAYS = 35;
const marksPk = (day: string) => `meeting-signals#${day}`;

/** Records a meeting's participant signals (only when it has any) for the participant_details source to rank by. */
export async function markMeeting(state: StateStore, uuid: string, day: string, signals: readonly RiskSignal[], nowMs: number): Promise<void> {
  if (signals.length === 0) return;
  await state.put({ pk: marksPk(day), sk: uuid, attrs: { signals: [...signals] }, expiresAt: Math.ceil((nowMs + MARK_TTL_DAYS * DAY_MS) / 1000) });
}

/** The marked signals of every meeting started on `days`, by uuid. */
export async function readMarks(state: StateStore, days: Iterable<string>): Promise<Map<string, RiskSignal[]>> {
  const marks = new Map<string, RiskSignal[]>();
  for (const day of new Set(days)) {
    for (const item of await state.query(marksPk(day))) marks.set(item.sk, signalsOf(item.attrs.signals));
  }
  return marks;
}

const signalsOf = (v: unknown): RiskSignal[] => (Array.isArray(v) ? SIGNALS.filter((s) => v.includes(s)) : []);

// ---- the backlog of meetings a spent budget skipped ----

/** Most meetings kept waiting; past it the lowest-risk, oldest are dropped (and counted). */
export const MAX_BACKLOG = 2_000;
/** Zoom refuses per-meeting details after a year (12702): older backlog entries are dropped (and counted). */
export const BACKLOG_MAX_AGE_DAYS = 365;
const backlogPk = (source: string) => `backlog#${source}`;

/** The meetings earlier runs skipped, as candidates. */
export async function readBacklog(state: StateStore, source: string): Promise<DetailCandidate[]> {
  return (await state.query(backlogPk(source))).map((item) => ({
    uuid: item.sk,
    meetingId: typeof item.attrs.meetingId === 'string' ? item.attrs.meetingId : null,
    day: typeof item.attrs.day === 'string' ? item.attrs.day : '1970-01-01',
    signals: signalsOf(item.attrs.signals),
    fromBacklog: true,
  }));
}

/** What one run changed in the backlog. */
export interface BacklogUpdate {
  /** Newly skipped (or re-ranked) meetings to keep. */
  readonly keep: readonly DetailCandidate[];
  /** Backlog entries fetched or given up on. */
  readonly remove: readonly string[];
}

/**
 * Bounds the backlog: of `waiting` (everything still unfetched, old entries and new), keeps the MAX_BACKLOG highest
 * ranked and reports the rest as dropped.
 */
export function boundBacklog(waiting: readonly DetailCandidate[]): { kept: DetailCandidate[]; dropped: DetailCandidate[] } {
  const ranked = rankCandidates(waiting);
  return { kept: ranked.slice(0, MAX_BACKLOG), dropped: ranked.slice(MAX_BACKLOG) };
}

/** Writes the backlog changes: new entries put, fetched or dropped ones deleted. */
export async function applyBacklog(state: StateStore, source: string, update: BacklogUpdate, nowMs: number): Promise<void> {
  for (const c of update.keep) {
    await state.put({ pk: backlogPk(source), sk: c.uuid, attrs: { meetingId: c.meetingId, day: c.day, signals: [...c.signals], skippedAt: nowMs } });
  }
  for (const uuid of update.remove) await state.delete(backlogPk(source), uuid);
}

/** Whether a meeting of `day` is too old for Zoom to return details of. */
export const tooOldForDetails = (day: string, nowMs: number): boolean => Date.parse(`${day}T00:00:00Z`) < nowMs - BACKLOG_MAX_AGE_DAYS * DAY_MS;
