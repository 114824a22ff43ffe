/**
 * What is wrong with an object key (or, with `isPrefix`, a list prefix), or undefined when it is fine. Every
 * ObjectStore applies the same rule: keys are relative `/`-separated paths, so no key can reach outside a folder
 * locally, and S3 and the filesystem accept the same keys.
 */
export function objectKeyProblem(key: string, isPrefix: boolean): string | undefined {
  if (key === '') return isPrefix ? undefined : 'key is empty';
  if (key.startsWith('/')) return 'absolute keys are not allowed';
  if (key.includes('\\') || key.includes('\0')) return 'backslashes and NUL characters are not allowed';
  const segments = key.split('/');
  // A prefix may end with `/` ("zoom/") or in the middle of a segment ("zoom/act").
  if (isPrefix && segments.at(-1) === '') segments.pop();
  if (segments.some((s) => s === '')) return 'empty path segments are not allowed';
  if (segments.some((s) => s === '.' || s === '..')) return '"." and ".." segments are not allowed';
  return undefined;
}
