import { ConditionFailedError } from '../errors.ts';
import { firstText, id, obj, text } from '../lake/cells.ts';
import type { StateStore } from '../ports.ts';
import type { ZoomEnvelope } from '../webhook/envelope.ts';
import { isFullName, nameKey } from './names.ts';

/**
 * The user directory in the state table: who the account's users are (status, Zoom user id, names), fed by
 * user.* webhooks and by the users and operation-log pollers. Realtime checks read it to spot joins by
 * deactivated or deleted users and guests using an internal user's name. Items never expire: a deactivated
 * user must stay known for as long as their old meeting links work.
 *
 * Items: `dir#user#<email>`/`profile` {status, user_id, at}; `dir#id#<user id>`/`email` {email};
 * `dir#name#<name key>`/`<email>` {email, name}; `dir#watched`/`<email>#<name key>` {email, name, key}.
 */

/** A user's account status as the directory keeps it. */
export type DirectoryStatus = 'active' | 'inactive' | 'deleted' | 'pending' | 'disassociated';

/** Statuses whose owner should no longer join meetings as this user (as in zoom.participant.join_after_deactivation). */
export const GONE_STATUSES: ReadonlySet<string> = new Set(['inactive', 'deleted', 'disassociated']);

/** One fact about a user, from a webhook or a poller. */
export interface DirectoryUpdate {
  /** Lower-case email. */
  readonly email: string;
  readonly userId?: string;
  readonly status?: DirectoryStatus;
  /** Display names the user goes by (full names only are indexed). */
  readonly names?: readonly string[];
  /** When the fact was true (epoch ms): an older fact never overwrites a newer status. */
  readonly at: number;
}

/** What the directory knows about one user. */
export interface DirectoryEntry {
  readonly email: string;
  readonly status?: string;
  readonly userId?: string;
  readonly at: number;
}

const userPk = (email: string) => `dir#user#${email}`;
const idPk = (userId: string) => `dir#id#${userId}`;
const namePk = (key: string) => `dir#name#${key}`;
const WATCHED_PK = 'dir#watched';
/** Shorter keys ("al", "bo") match too much by accident; the scheduled detection ignores them too. */
const MIN_NAME_KEY = 4;

const STATUS_BY_EVENT: Readonly<Record<string, DirectoryStatus>> = {
  'user.created': 'active',
  'user.activated': 'active',
  'user.deactivated': 'inactive',
  'user.deleted': 'deleted',
  'user.disassociated': 'disassociated',
};

const fullName = (first: unknown, last: unknown): string[] => {
  const f = text(first)?.trim();
  const l = text(last)?.trim();
  return f && l ? [`${f} ${l}`, `${l} ${f}`] : [];
};

/** The directory update a user.* webhook carries, if any. */
export function directoryUpdateFromEvent(env: ZoomEnvelope, eventTime: number): DirectoryUpdate | undefined {
  if (!env.event.startsWith('user.')) return undefined;
  const o = obj(env.payload.object);
  const email = text(o.email)?.trim().toLowerCase();
  if (!email) return undefined;
  const status = STATUS_BY_EVENT[env.event];
  const userId = id(o.id);
  const names = [...fullName(o.first_name, o.last_name), ...[text(o.display_name)].filter((n): n is string => n !== null)];
  return { email, at: eventTime, ...(userId ? { userId } : {}), ...(status ? { status } : {}), ...(names.length > 0 ? { names } : {}) };
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
    return [{ email, at: r.snapshot_time, ...(r.user_id ? { userId: r.user_id } : {}), ...(status ? { status } : {}), names }];
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
    const status: DirectoryStatus | undefined = /\bdeactivat/i.test(said) ? 'inactive'
      : /\bdelet/i.test(said) ? 'deleted'
        : /\b(re)?activat/i.test(said) ? 'active' : undefined;
    if (!status) return [];
    const emails = [...new Set((r.operation_detail ?? '').match(EMAIL) ?? [])].map((e) => e.toLowerCase());
    return emails.map((email) => ({ email, status, at: r.time }));
  });
}

/**
 * Applies updates in order. A status is written only when the fact is at least as new as the stored one
 * (conditional write, so concurrent writers cannot interleave); ids and names are merged in.
 * `watched` (lower-case emails) decides which names also go to the small index fuzzy matching scans.
 */
export async function applyDirectoryUpdates(state: StateStore, updates: readonly DirectoryUpdate[], watched: ReadonlySet<string>): Promise<void> {
  for (const u of updates) {
    await writeProfile(state, u);
    if (u.userId) await state.put({ pk: idPk(u.userId), sk: 'email', attrs: { email: u.email } });
    for (const name of u.names ?? []) {
      const key = nameKey(name);
      if (!isFullName(name) || key.length < MIN_NAME_KEY) continue;
      await state.put({ pk: namePk(key), sk: u.email, attrs: { email: u.email, name } });
      if (watched.has(u.email)) await state.put({ pk: WATCHED_PK, sk: `${u.email}#${key}`, attrs: { email: u.email, name, key } });
    }
  }
}

async function writeProfile(state: StateStore, u: DirectoryUpdate): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await state.get(userPk(u.email), 'profile');
    const at = typeof current?.attrs.at === 'number' ? current.attrs.at : undefined;
    const newer = at === undefined || u.at >= at;
    const attrs = {
      ...current?.attrs,
      ...(u.userId ? { user_id: u.userId } : {}),
      ...(u.status && newer ? { status: u.status, at: u.at } : {}),
      ...(at === undefined ? { at: u.at } : {}),
    };
    try {
      await state.put({ pk: userPk(u.email), sk: 'profile', attrs }, at === undefined ? { kind: 'notExists' } : { kind: 'attrEquals', name: 'at', value: at });
      return;
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || attempt === 2) throw error;
    }
  }
}

/** The directory entry of an email (lower case). */
export async function lookupEmail(state: StateStore, email: string): Promise<DirectoryEntry | undefined> {
  const item = await state.get(userPk(email), 'profile');
  if (!item) return undefined;
  const { status, user_id: userId, at } = item.attrs;
  return {
    email, at: typeof at === 'number' ? at : 0,
    ...(typeof status === 'string' ? { status } : {}), ...(typeof userId === 'string' ? { userId } : {}),
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
  readonly match: 'exact' | 'one edit away';
}

/**
 * Directory users a display name could be impersonating: the same name key (anyone), or one edit away from a
 * watched user's name key of 8 or more letters.
 */
export async function usersNamed(state: StateStore, displayName: string, withinOneEdit: (a: string, b: string) => boolean): Promise<NameMatch[]> {
  const key = nameKey(displayName);
  if (key.length < MIN_NAME_KEY) return [];
  const exact = (await state.query(namePk(key))).map((i) => ({ email: String(i.attrs.email), name: String(i.attrs.name), match: 'exact' as const }));
  const seen = new Set(exact.map((m) => m.email));
  const fuzzy = (await state.query(WATCHED_PK))
    .filter((i) => typeof i.attrs.key === 'string' && i.attrs.key.length >= 8 && i.attrs.key !== key && withinOneEdit(key, i.attrs.key))
    .map((i) => ({ email: String(i.attrs.email), name: String(i.attrs.name), match: 'one edit away' as const }))
    .filter((m) => !seen.has(m.email) && (seen.add(m.email), true));
  return [...exact, ...fuzzy];
}

/** The Zoom user id an event names as its user (participant `id` / `participant_user_id`). */
export const zoomUserIdOf = (p: Readonly<Record<string, unknown>>): string | null => firstText(id(p.participant_user_id), id(p.id));
