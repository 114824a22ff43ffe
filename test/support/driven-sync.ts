import type { FileHandle } from 'node:fs/promises';

/** A file sync (SyncFile port) the test drives: `hold()` makes the next syncs wait for `release()`, `failNext()` makes the next one fail. */
export function drivenSync() {
  let calls = 0;
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let entered: (() => void) | undefined;
  let failures = 0;
  return {
    sync: async (handle: FileHandle) => {
      calls++;
      entered?.();
      if (gate) await gate;
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      }
      await handle.datasync();
    },
    calls: () => calls,
    /** Resolves once a sync has been entered after this call. */
    hold(): Promise<void> {
      gate = new Promise<void>((resolve) => (open = resolve));
      return new Promise<void>((resolve) => (entered = resolve));
    },
    release() {
      gate = undefined;
      entered = undefined;
      open?.();
    },
    failNext(n = 1) {
      failures = n;
    },
  };
}

/** A sync port the test drives. */
export type DrivenSync = ReturnType<typeof drivenSync>;
