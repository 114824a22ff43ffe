import { rmSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/*
 * Lock files naming the process that holds them: `<pid>\n`, optionally followed by one line of JSON describing the
 * holder. Written by hand: the lock libraries on npm (proper-lockfile and kin) judge staleness by mtime and need a
 * refresh timer, where a local zoomlake process can ask the kernel whether the holder is alive.
 */

/** Who holds a lock file. */
export interface LockHolder {
  readonly pid: number;
  /** The second line's JSON, when the holder wrote one. */
  readonly about?: Readonly<Record<string, unknown>>;
}

/** How taking a lock ended: taken, or refused because a live process holds it. */
export type LockResult = { readonly taken: true } | { readonly taken: false; readonly holder: LockHolder };

/** Lock files this process holds, removed at exit so a restarted process (or a reused pid) finds no stale lock. */
const heldLocks = new Set<string>();
let exitHookInstalled = false;

const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'unknown';

/**
 * Takes `lock` for this process unless a live process holds it (a lock left by a dead process is removed and taken).
 * Taking a lock this process already holds succeeds. Throws the file system's error when the lock cannot be written.
 * Best effort: two processes starting at once over a stale lock can still race.
 */
export async function takePidLock(lock: string, about?: Readonly<Record<string, unknown>>): Promise<LockResult> {
  if (heldLocks.has(lock)) return { taken: true };
  await mkdir(path.dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n${about === undefined ? '' : `${JSON.stringify(about)}\n`}`);
      } finally {
        await handle.close();
      }
      hold(lock);
      return { taken: true };
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    const holder = await readPidLock(lock);
    if (holder?.pid === process.pid) {
      hold(lock); // left by an earlier run that had this pid, so not running now
      return { taken: true };
    }
    if (holder !== undefined && isAlive(holder.pid)) return { taken: false, holder };
    await rm(lock, { force: true }); // stale: its process is gone
  }
  throw Object.assign(new Error(`${lock}: another process keeps taking the lock`), { code: 'EBUSY' });
}

/** Releases a lock this process holds (a no-op otherwise). */
export async function releasePidLock(lock: string): Promise<void> {
  if (!heldLocks.delete(lock)) return;
  if ((await readPidLock(lock))?.pid === process.pid) await rm(lock, { force: true });
}

/** The lock's holder as written, alive or not; undefined when there is no readable lock. */
export async function readPidLock(lock: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(lock, 'utf8');
  } catch {
    return undefined;
  }
  const [first = '', second = ''] = text.split('\n');
  const pid = Number.parseInt(first, 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let about: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = second === '' ? undefined : JSON.parse(second);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) about = parsed as Record<string, unknown>;
  } catch {
    // A holder description that is not JSON is ignored: the pid is what the lock means.
  }
  return about === undefined ? { pid } : { pid, about };
}

/** Whether a process with this pid exists (also when another user owns it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

function hold(lock: string): void {
  heldLocks.add(lock);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const held of heldLocks) rmSync(held, { force: true });
  });
}
