import { firstText, idText, objectOrEmpty, nonEmptyText } from '../lake/cell-coercion.ts';
import type { StateStore } from '../ports.ts';
import type { ZoomEnvelope } from '../webhook/envelope.ts';
import { isFullName, nameKey, withinEdits } from './names.ts';

/**
 * The user directory in the state table: who the account's users are (Zoom user id, names, and a timeline of their
 * account status), fed by user.* webhooks and by the users and operation-log pollers. Realtime checks read it to
 * spot joins by deactivated or deleted users (judged at the join's own time) and guests using an internal user's
 * name. Items never expire: a deactivated user must stay known for as long as their old meeting links work.
 *
 * Items: `dir#user#<email>`/`profile` {user_id}; `dir#user#<email>`/`status#<epoch ms, 13 digits>#<status>`
 * {status, at, source}: one per status fact (webhooks and operation log entries always, snapshots only when they
 * change the status); `dir#id#<user id>`/`email` {email}; `dir#name#<name key>`/`<email>` {email, name};
 * `dir#watched`/`<email>#<name key>` {email, name, key}.
 */

/** A user's account status as the directory keeps it. */
export type DirectoryStatus = 'active' | 'inactive' | 'deleted' | 'pending' | 'disassociated';

/**
 * Statuses whose owner should no longer join meetings as this user (zoom.participant.join_after_deactivation):
 * the "off" states of the account-state timeline; `active` turns it back on, `pending` says nothing.
 */
export const GONE_STATUSES: ReadonlySet<string> = new Set(['inactive', 'deleted', 'disassociated']);

/** Where a status fact came from. */
export type StatusSource = 'webhook' | 'operation log' | 'users snapshot';

/** One fact about a user, from a webhook or a poller. */
export interface DirectoryUpdate {
  /** Lower-case email. */
  readonly email: string;
  readonly userId?: string;
  readonly status?: DirectoryStatus;
  /** Display names the user goes by (full names only are indexed). */
  readonly names?: readonly string[];
  /** When the fact was true (epoch ms): for a status, when it took effect (a snapshot: when it was seen). */
  readonly at: number;
  /** Where the status came from. @default 'webhook' */
  readonly source?: StatusSource;
}

/** What the directory knows about one user. */
export interface DirectoryEntry {
  readonly email: string;
  /** The latest status fact, if any. */
  readonly status?: string;
  readonly userId?: string;
  /** When the latest status took effect (0 when none is known). */
  readonly at: number;
}

/** A user's status at an instant: the latest fact before it, and when the current run of on or off began. */
export interface StatusAt {
  readonly status: string;
  /** When the fact took effect. */
  readonly at: number;
  readonly source: string;
  /** Whether it is an "off" status (GONE_STATUSES). */
  readonly gone: boolean;
  /** The earliest fact of the same on/off state since the last opposite one: when the user went off (or on). */
  readonly since: number;
  readonly sinceSource: string;
}

const userPk = (email: string) => `dir#user#${email}`;
const idPk = (userId: string) => `dir#id#${userId}`;
const namePk = (key: string) => `dir#name#${key}`;
const WATCHED_PK = 'dir#watched';
const STATUS_SK = 'status#';
const statusSk = (at: number, status: string) => `${STATUS_SK}${String(Math.max(0, Math.trunc(at))).padStart(13, '0')}#${status}`;

const STATUS_BY_EVENT: Readonly<Record<string, DirectoryStatus>> = {
  'user.created': 'active',
  'user.activated': 'active',
  'user.deactivated': 'inactive',
  'user.deleted': 'deleted',
  'user.disassociated': 'disassociated',
};

const fullName = (first: unknown, last: unknown): string[] => {
  const f = nonEmptyText(first)?.trim();
  const l = nonEmptyText(last)?.trim();
  return f && l ? [`${f} ${l}`] : [];
};

/**
 * The directory update a user.* webhook carries, if any. `eventTime` is the event's own time as the lake's
 * user_events row has it (the status fact takes effect then); `knownEmail` is the user's email from the directory,
 * for a webhook that names the user by id only.
 */
export function directoryUpdateFromEvent(env: ZoomEnvelope, eventTime: number, knownEmail?: string): DirectoryUpdate | undefined {
  if (!env.event.startsWith('user.')) return undefined;
  const o = objectOrEmpty(env.payload.object);
  const email = nonEmptyText(o.email)?.trim().toLowerCase() || knownEmail;
  if (!email) return undefined;
  const status = STATUS_BY_EVENT[env.event];
  const userId = idText(o.id);
  const names = [...fullName(o.first_name, o.last_name), ...[nonEmptyText(o.display_name)].filter((n): n is string => n !== null)];
  return {
    email,
    at: eventTime,
    source: 'webhook',
    ...(userId ? { userId } : {}),
    ...(status ? { status } : {}),
    ...(names.length > 0 ? { names } : {}),
  };
}

/** Rows of the `users` snapshot table (as the users poller writes them). */
export interface UserSnapshotRow {
  readonly user_id?: string | null;
  readonly email?: string | null;
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly display_name?: string | null;
  readonly status?: string | null;
  /** Epoch ms. */
  readonly snapshot_time: number;
}

const SNAPSHOT_STATUS: Readonly<Record<string, DirectoryStatus>> = { active: 'active', inactive: 'inactive', pending: 'pending' };

/** Directory updates from users snapshot rows. */
export function directoryUpdatesFromUsers(rows: readonly UserSnapshotRow[]): DirectoryUpdate[] {
  return rows.flatMap((r) => {
    const email = r.email?.trim().toLowerCase();
    if (!email) return [];
    const status = r.status ? SNAPSHOT_STATUS[r.status.toLowerCase()] : undefined;
    const names = [...fullName(r.first_name, r.last_name), ...(r.display_name ? [r.display_name] : [])];
    return [
      {
        email,
        at: r.snapshot_time,
        source: 'users snapshot' as const,
        ...(r.user_id ? { userId: r.user_id } : {}),
        ...(status ? { status } : {}),
        names,
      },
    ];
  });
}

/** Rows of the `operation_logs` table (as the operation-log poller writes them). */
export interface OperationLogRow {
  /** Epoch ms. */
  readonly time: number;
  readonly category_type?: string | null;
  readonly action?: string | null;
  readonly operation_detail?: string | null;
}

const EMAIL = /[^\s@:;,()<>"']+@[^\s@:;,()<>"']+\.[^\s@:;,()<>"']+/g;

/**
 * Deactivations, deletions and reactivations from the admin operation log: User-category entries whose action or
 * detail says so; every email in the detail is the user concerned (the wording varies, the email does not).
 */
export function directoryUpdatesFromOperationLogs(rows: readonly OperationLogRow[]): DirectoryUpdate[] {
  return rows.flatMap((r) => {
    if (!/^user/i.test(r.category_type ?? '')) return [];
    const said = `${r.action ?? ''} ${r.operation_detail ?? ''}`;
    const status: DirectoryStatus | undefined = /\bdeactivat/i.test(said)
      ? 'inactive'
      : /\bdelet/i.test(said)
        ? 'deleted'
        : /\b(re)?activat/i.test(said)
          ? 'active'
          : undefined;
    if (!status) return [];
    const emails = [...new Set((r.operation_detail ?? '').match(EMAIL) ?? [])].map((e) => e.toLowerCase());
    return emails.map((email) => ({ email, status, at: r.time, source: 'operation log' as const }));
  });
}

/**
 * Applies updates in order. Every webhook and operation-log status is kept as a fact on the user's timeline (an older
 * fact arriving late lands at its own time, never overriding a newer one); a snapshot's status only when it differs
 * from the fact before it, so daily snapshots do not grow the timeline. Ids and names are merged in. `watched`
 * (lower-case emails) decides which names also go to the small index fuzzy matching scans.
 */
export async function applyDirectoryUpdates(state: StateStore, updates: readonly DirectoryUpdate[], watched: ReadonlySet<string>): Promise<void> {
  for (const u of updates) {
    const profile = await state.get(userPk(u.email), 'profile');
    if (!profile || (u.userId && profile.attrs.user_id !== u.userId)) {
      await state.put({ pk: userPk(u.email), sk: 'profile', attrs: { ...profile?.attrs, ...(u.userId ? { user_id: u.userId } : {}) } });
    }
    // Pending says nothing about whether the owner may join (the scheduled detection ignores it too).
    if (u.status && u.status !== 'pending') await addStatus(state, u.email, u.status, u.at, u.source ?? 'webhook');
    if (u.userId) await state.put({ pk: idPk(u.userId), sk: 'email', attrs: { email: u.email } });
    for (const name of u.names ?? []) {
      const key = nameKey(name);
      // Every full name is indexed; how short a name may match is the detection's parameter, applied when matching.
      if (!isFullName(name) || key === '') continue;
      await state.put({ pk: namePk(key), sk: u.email, attrs: { email: u.email, name } });
      if (watched.has(u.email)) await state.put({ pk: WATCHED_PK, sk: `${u.email}#${key}`, attrs: { email: u.email, name, key } });
    }
  }
}

interface Fact {
  readonly status: string;
  readonly at: number;
  readonly source: string;
}

async function timeline(state: StateStore, email: string): Promise<Fact[]> {
  return (await state.query(userPk(email), STATUS_SK)).flatMap((i) => {
    const { status, at, source } = i.attrs;
    return typeof status === 'string' && typeof at === 'number' ? [{ status, at, source: typeof source === 'string' ? source : 'webhook' }] : [];
  });
}

/** Whether two statuses are the same on/off state. */
const sameState = (a: string, b: string) => GONE_STATUSES.has(a) === GONE_STATUSES.has(b);

async function addStatus(state: StateStore, email: string, status: DirectoryStatus, at: number, source: StatusSource): Promise<void> {
  if (source === 'users snapshot') {
    const before = (await timeline(state, email)).filter((f) => f.at <= at).at(-1);
    if (before && sameState(before.status, status)) return;
  }
  await state.put({ pk: userPk(email), sk: statusSk(at, status), attrs: { status, at, source } });
}

/** The directory entry of an email (lower case): its user id and its latest status fact. */
export async function lookupEmail(state: StateStore, email: string): Promise<DirectoryEntry | undefined> {
  const profile = await state.get(userPk(email), 'profile');
  const latest = (await timeline(state, email)).at(-1);
  if (!profile && !latest) return undefined;
  const userId = profile?.attrs.user_id;
  return {
    email,
    at: latest?.at ?? 0,
    ...(latest ? { status: latest.status } : {}),
    ...(typeof userId === 'string' ? { userId } : {}),
  };
}

/**
 * The user's status just before `at` (facts strictly earlier, as the scheduled detection compares `changed_at <
 * join_time`), with when the current on/off run began; undefined when no fact is that old.
 */
export async function statusAt(state: StateStore, email: string, at: number): Promise<StatusAt | undefined> {
  const facts = (await timeline(state, email)).filter((f) => f.at < at);
  const latest = facts.at(-1);
  if (!latest) return undefined;
  let first = latest;
  for (let i = facts.length - 1; i >= 0 && sameState(facts[i]!.status, latest.status); i--) first = facts[i]!;
  return {
    status: latest.status,
    at: latest.at,
    source: latest.source,
    gone: GONE_STATUSES.has(latest.status),
    since: first.at,
    sinceSource: first.source,
  };
}

/** The email of a Zoom user id, when the directory has seen it. */
export async function emailOfUserId(state: StateStore, userId: string): Promise<string | undefined> {
  const item = await state.get(idPk(userId), 'email');
  return typeof item?.attrs.email === 'string' ? item.attrs.email : undefined;
}

/** A directory user whose name a display name matches. */
export interface NameMatch {
  readonly email: string;
  readonly name: string;
  readonly match: 'exact' | 'near';
}

/** How names match (zoom.participant.guest_impersonates_internal's parameters). */
export interface NameMatching {
  /** Keys shorter than this never match ("al", "bo" match too much by accident). */
  readonly minLetters: number;
  /** A watched user's key at least this long also matches within `maxEdits`. */
  readonly fuzzyMinLetters: number;
  readonly maxEdits: number;
}

/**
 * Directory users a display name could be impersonating: the same name key (anyone), or within `maxEdits` of a
 * watched user's name key of `fuzzyMinLetters` or more letters.
 */
export async function usersNamed(state: StateStore, displayName: string, m: NameMatching): Promise<NameMatch[]> {
  const key = nameKey(displayName);
  if (key.length < m.minLetters) return [];
  const exact = (await state.query(namePk(key))).map((i) => ({ email: String(i.attrs.email), name: String(i.attrs.name), match: 'exact' as const }));
  const seen = new Set(exact.map((x) => x.email));
  const fuzzy = (await state.query(WATCHED_PK))
    .filter(
      (i) =>
        typeof i.attrs.key === 'string' &&
        i.attrs.key.length >= Math.max(m.fuzzyMinLetters, m.minLetters) &&
        i.attrs.key !== key &&
        withinEdits(key, i.attrs.key, m.maxEdits),
    )
    .map((i) => ({ email: String(i.attrs.email), name: String(i.attrs.name), match: 'near' as const }))
    .filter((x) => !seen.has(x.email) && (seen.add(x.email), true));
  return [...exact, ...fuzzy];
}

/** The Zoom user id an event names as its user (participant `id` / `participant_user_id`). */
export const zoomUserIdOf = (p: Readonly<Record<string, unknown>>): string | null => firstText(idText(p.participant_user_id), idText(p.id));
