import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `target` whole and durably: the data goes to a temp file that is fsynced, renamed over the target, and
 * the folder entry fsynced, so a reader (or a crash) sees the old file or the new one, never half of either.
 * `tmp` must be on the same file system as `target`; a failed write removes it.
 */
export async function replaceFileDurably(target: string, data: string | Uint8Array, tmp = `${target}.${randomUUID()}.tmp`): Promise<void> {
  try {
    await mkdir(path.dirname(tmp), { recursive: true });
    await mkdir(path.dirname(target), { recursive: true });
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDir(path.dirname(target));
}

/** Appends `text` and fsyncs before resolving: an append acknowledged to a caller survives a crash. */
export async function appendDurably(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A rename or a new file is durable only once the folder entry is on disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
