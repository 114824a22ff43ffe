import { ConfigError } from '#config/load.ts';
import { DetectionDefinitionError } from '#core/detect/detection.ts';
import { QueryError, SecretError, StorageError } from '#core/errors.ts';
import {
  ZoomApiError,
  ZoomAuthError,
  ZoomBudgetError,
  ZoomPlanError,
  ZoomRateLimitError,
  ZoomScopeError,
  ZoomServerError,
} from '#core/zoom/errors.ts';
import { printable } from '../terminal/escape.ts';
import { CliFailure } from '../terminal/failure.ts';

/*
 * How the CLI reports a failure (DESIGN §10): one line on stderr, `zoomlake <command>: <what happened>; <what to do>`,
 * exit 2 for a usage or config error and 1 for a failure at run time, and no stack trace unless ZOOMLAKE_DEBUG=1.
 */

/** Exit code of a usage or config error. */
export const EXIT_USAGE = 2;
/** Exit code of a failure at run time. */
export const EXIT_FAILURE = 1;

/** Bad usage: unknown command or flag, missing or malformed argument (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export { CliFailure };

/** What the top level prints for an error, and the exit code. */
export interface Reported {
  readonly code: typeof EXIT_USAGE | typeof EXIT_FAILURE;
  /** One line, without the `zoomlake <command>: ` prefix and without a newline. */
  readonly message: string;
}

const isParseArgsError = (error: unknown): error is TypeError =>
  error instanceof TypeError && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS');

const NODE_FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
};

/** What a Node file-system error means in words (`no such file or directory`), or undefined for any other error. */
export function fsReason(error: unknown): string | undefined {
  const { code } = error as NodeJS.ErrnoException;
  return error instanceof Error && typeof code === 'string' && code in NODE_FS_ERRORS ? NODE_FS_ERRORS[code] : undefined;
}

/** One line for a Zoom API failure, with what to check. */
function zoomMessage(error: ZoomApiError | ZoomBudgetError): string {
  if (error instanceof ZoomAuthError) {
    return (
      `Zoom refused the credentials (${error.message}); check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET ` +
      '(a Server-to-Server OAuth app of the account)'
    );
  }
  if (error instanceof ZoomScopeError) return `the Zoom app lacks a scope (${error.message}); add it to the app in the Zoom Marketplace`;
  if (error instanceof ZoomPlanError) return `the Zoom account's plan does not offer this API (${error.message}); set planTier or disable the source`;
  if (error instanceof ZoomRateLimitError || error instanceof ZoomBudgetError)
    return `Zoom's rate limit or zoomlake's API budget is spent (${error.message}); try again later`;
  if (error instanceof ZoomServerError) {
    return error.status === 0
      ? `cannot reach Zoom (${error.message}); check the network, or ZOOM_OAUTH_URL and ZOOM_API_BASE_URL when set`
      : `Zoom answered with a server error (${error.message}); try again later`;
  }
  return `Zoom rejected the request (${error.message})`;
}

/** Maps an error to the one line and exit code the CLI reports. */
export function report(error: unknown): Reported {
  if (error instanceof UsageError || isParseArgsError(error)) return { code: EXIT_USAGE, message: `${error.message} (see zoomlake --help)` };
  if (error instanceof ConfigError) return { code: EXIT_USAGE, message: error.message };
  // Detection overrides in the config name an unknown detection or parameter, or a value out of bounds.
  if (error instanceof DetectionDefinitionError) return { code: EXIT_USAGE, message: error.message };
  // Locally, secrets are environment variables: a missing one is set-up, not a run-time failure.
  if (error instanceof SecretError) return { code: EXIT_USAGE, message: error.message };
  if (error instanceof CliFailure || error instanceof QueryError || error instanceof StorageError)
    return { code: EXIT_FAILURE, message: error.message };
  if (error instanceof ZoomApiError || error instanceof ZoomBudgetError) return { code: EXIT_FAILURE, message: zoomMessage(error) };
  const errno = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof errno.code === 'string' && errno.code in NODE_FS_ERRORS) {
    const where = errno.path === undefined ? '' : `${errno.path}: `;
    return { code: EXIT_FAILURE, message: `${where}${NODE_FS_ERRORS[errno.code]}` };
  }
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: EXIT_FAILURE, message: `unexpected error: ${what} (ZOOMLAKE_DEBUG=1 prints the stack trace)` };
}

/** The whole stderr text for an error: one line, or with ZOOMLAKE_DEBUG=1 the line then the stack trace. */
export function errorText(command: string, error: unknown, debug: boolean): { code: number; text: string } {
  const { code, message } = report(error);
  const line = `zoomlake${command === '' ? '' : ` ${command}`}: ${printable(message)}\n`;
  const stack = debug && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : '';
  return { code, text: line + stack };
}
