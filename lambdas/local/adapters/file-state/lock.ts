import { StorageError } from '#core/errors.ts';
import { errnoCode } from '../errno.ts';
import { releasePidLock, takePidLock } from '../pid-lock.ts';

/*
 * One process per state file: `<file>.lock` names the process that has the file open, from its first call to
 * close() or exit. A second process is refused with a clear error while that process is alive (best effort: two
 * processes starting at once over a stale lock can still race).
 */

const lockFileOf = (file: string) => `${file}.lock`;

/** Takes the state file's lock, or fails naming the process that holds it. */
export async function lockStateFile(file: string): Promise<void> {
  let result;
  try {
    result = await takePidLock(lockFileOf(file));
  } catch (err) {
    throw new StorageError(`could not lock state file ${file}: ${errnoCode(err)}`, errnoCode(err) === 'EBUSY', { cause: err });
  }
  if (!result.taken) {
    throw new StorageError(
      `state file ${file} is in use by process ${result.holder.pid}; only one zoomlake process may use a state folder at a time`,
      false,
    );
  }
}

/** Gives the state file's lock back. */
export async function unlockStateFile(file: string): Promise<void> {
  await releasePidLock(lockFileOf(file));
}
