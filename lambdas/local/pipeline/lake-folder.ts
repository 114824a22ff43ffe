import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliFailure } from '../terminal/failure.ts';
import type { LocalPaths } from './runtime.ts';

/** A command that only reads was pointed at a folder no zoomlake writer has used (a typo in `--dir`, say). */
export class NoLakeError extends CliFailure {
  override readonly name = 'NoLakeError';
  readonly retryable = false;
}

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Whether `paths.dir` is a zoomlake data folder: a writer (serve, run, load, poll, demo) made its `lake/` (events)
 * or its `state/` (cursors, spool, owner). A folder that merely exists is not one, so `--dir ~` is refused too.
 */
export function hasLake(paths: LocalPaths): boolean {
  return isDirectory(paths.lakeDir) || isDirectory(dirname(paths.stateFile));
}

/** Throws NoLakeError (exit 1, one line naming the folder and what to do) unless `paths.dir` is a zoomlake data folder. */
export function requireLake(paths: LocalPaths): void {
  if (hasLake(paths)) return;
  const what = isDirectory(paths.dir) ? `${paths.dir} has no zoomlake data (no lake/ or state/ in it)` : `no data folder at ${paths.dir}`;
  throw new NoLakeError(
    `${what}: pass --dir with the folder zoomlake run, serve, load, poll or demo wrote, ` + `or start one of them with --dir ${paths.dir} first`,
  );
}

/** Creates `lake/` under `paths.dir`, so a folder a writer started on counts as a data folder before its first event. */
export function initLakeFolder(paths: LocalPaths): void {
  mkdirSync(paths.lakeDir, { recursive: true });
}
