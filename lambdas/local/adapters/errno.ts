/** The errno code of a failed file-system call (`ENOENT`, `EBUSY`, ...), or `unknown error`: what a StorageError names. */
export function errnoCode(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'unknown error';
}
