import { join } from 'node:path';
import type { LocalPaths } from './runtime.ts';
import { isAlive, readPidLock, releasePidLock, takePidLock } from '../adapters/pid-lock.ts';

/*
 * One owner per data folder (DESIGN §10): the process that writes its state (serve, run, poll, detect) holds
 * `<dir>/state/owner.lock` from start to exit, so a second writer is refused at start, not at its first event.
 * Read-only commands (hunt, tables, report, status) never take it.
 */

/** The process that owns a data folder, as it described itself. */
export interface FolderOwner {
  readonly pid: number;
  /** The command it runs (`run`, `serve`, `poll`, `detect`). */
  readonly command: string;
  /** When it took the folder, epoch milliseconds; undefined when the lock does not say. */
  readonly since?: number;
}

/** The owner lock of a data folder. */
export const ownerLockFile = (paths: LocalPaths): string => join(paths.dir, 'state', 'owner.lock');

/** How claiming a folder ended: `release` gives it back; otherwise the live owner. */
export type Claim = { readonly claimed: true; release(): Promise<void> } | { readonly claimed: false; readonly owner: FolderOwner };

/** Claims the folder for `command` in this process, unless a live process owns it. */
export async function claimFolder(paths: LocalPaths, command: string, nowMs: number): Promise<Claim> {
  const lock = ownerLockFile(paths);
  const result = await takePidLock(lock, { command, since: new Date(nowMs).toISOString() });
  if (!result.taken) return { claimed: false, owner: ownerOf(result.holder.pid, result.holder.about) };
  return { claimed: true, release: () => releasePidLock(lock) };
}

/** The folder's live owner, undefined when no live process owns it. */
export async function folderOwner(paths: LocalPaths): Promise<FolderOwner | undefined> {
  const holder = await readPidLock(ownerLockFile(paths));
  if (holder === undefined || !isAlive(holder.pid)) return undefined;
  return ownerOf(holder.pid, holder.about);
}

function ownerOf(pid: number, about: Readonly<Record<string, unknown>> | undefined): FolderOwner {
  const command = typeof about?.command === 'string' ? about.command : 'unknown';
  const since = typeof about?.since === 'string' ? Date.parse(about.since) : Number.NaN;
  return Number.isNaN(since) ? { pid, command } : { pid, command, since };
}
