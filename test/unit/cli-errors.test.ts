import { describe, expect, it } from 'vitest';
import { ConfigError } from '#config/load.ts';
import { DetectionDefinitionError } from '#core/detect/detection.ts';
import { QueryError, SecretError, StorageError } from '#core/errors.ts';
import { ZoomAuthError, ZoomPlanError, ZoomScopeError, ZoomServerError } from '#core/zoom/errors.ts';
import { CliFailure, UsageError, errorText, report } from '#local/cli/errors.ts';
import { formatTable } from '#local/cli/format.ts';
import { printable } from '#local/terminal/escape.ts';

const fsError = (code: string, path?: string) => Object.assign(new Error(`${code}: raw node message`), { code, ...(path ? { path } : {}) });
const parseArgsError = Object.assign(new TypeError("Unknown option '--colour'"), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });

describe('report: one line and an exit code per kind of failure', () => {
  it.each([
    ['a usage error', new UsageError('load needs at least one FILE'), 2, 'load needs at least one FILE (see zoomlake --help)'],
    ['a parseArgs error', parseArgsError, 2, "Unknown option '--colour' (see zoomlake --help)"],
    ['a config error', new ConfigError('config watchedUsers.0: must be an email address'), 2, 'config watchedUsers.0: must be an email address'],
    [
      'a bad detection override',
      new DetectionDefinitionError('unknown detection zoom.x.y in detections'),
      2,
      'unknown detection zoom.x.y in detections',
    ],
    ['a missing secret variable', new SecretError('ZOOM_ACCOUNT_ID is not set', false), 2, 'ZOOM_ACCOUNT_ID is not set'],
    ['a failure that says what to do', new CliFailure('cannot read a.json: no such file'), 1, 'cannot read a.json: no such file'],
    ['a query error', new QueryError('query failed: column nope not found', false), 1, 'query failed: column nope not found'],
    ['a storage error', new StorageError('state file is in use', false), 1, 'state file is in use'],
    ['a missing file from node', fsError('ENOENT', '/x/missing.sql'), 1, '/x/missing.sql: no such file or directory'],
    ['a permission error without a path', fsError('EACCES'), 1, 'permission denied'],
    ['an unknown error', new RangeError('boom'), 1, 'unexpected error: RangeError: boom (ZOOMLAKE_DEBUG=1 prints the stack trace)'],
    ['a thrown string', 'odd', 1, 'unexpected error: odd (ZOOMLAKE_DEBUG=1 prints the stack trace)'],
  ])('%s', (_name, error, code, message) => {
    expect(report(error)).toEqual({ code, message });
  });

  it.each([
    [
      'bad credentials',
      new ZoomAuthError('invalid client_id or client_secret', { status: 401, endpoint: 'token' }),
      /refused the credentials.*ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET/,
    ],
    [
      'an unreachable Zoom',
      new ZoomServerError('fetch failed: ECONNREFUSED', { status: 0, endpoint: 'token' }),
      /cannot reach Zoom .*ZOOM_OAUTH_URL and ZOOM_API_BASE_URL/,
    ],
    ['a Zoom 5xx', new ZoomServerError('HTTP 503', { status: 503, endpoint: 'api' }), /server error \(HTTP 503\); try again later/],
    ['a missing scope', new ZoomScopeError('does not contain scopes', { status: 400, code: 4700, endpoint: 'api' }), /lacks a scope/],
    ['a plan without the API', new ZoomPlanError('paid only', { status: 400, code: 200, endpoint: 'api' }), /plan does not offer this API/],
  ])('Zoom: %s is a run-time failure with what to check', (_name, error, pattern) => {
    const { code, message } = report(error);
    expect(code).toBe(1);
    expect(message).toMatch(pattern);
  });
});

describe('errorText', () => {
  it('is one line naming the command, without a stack unless debugging', () => {
    const error = new CliFailure('the folder is owned by pid 42');
    expect(errorText('poll', error, false)).toEqual({ code: 1, text: 'zoomlake poll: the folder is owned by pid 42\n' });
    const debug = errorText('poll', error, true).text.split('\n');
    expect(debug[0]).toBe('zoomlake poll: the folder is owned by pid 42');
    expect(debug[1]).toMatch(/^CliFailure: the folder is owned by pid 42$/);
    expect(debug[2]).toMatch(/^\s+at /);
  });

  it('has no command before the command is known, and escapes control characters in the message', () => {
    expect(errorText('', new UsageError('unknown command "\u001b]0;pwned\u0007"'), false).text).toBe(
      'zoomlake: unknown command "\\x1b]0;pwned\\x07" (see zoomlake --help)\n',
    );
  });
});

describe('printable', () => {
  it.each([
    ['plain text and Unicode letters stay', 'Zoë Ødegård 会议', 'Zoë Ødegård 会议'],
    ['an OSC title sequence', 'Ann\u001b]0;owned\u0007', 'Ann\\x1b]0;owned\\x07'],
    ['erase-line and carriage return', 'x\r\u001b[2Kfake line', 'x\\x0d\\x1b[2Kfake line'],
    ['a C1 CSI and DEL', 'a\u009b31mb\u007f', 'a\\x9b31mb\\x7f'],
    ['bidirectional overrides', 'invoice\u202eexe.pdf\u2066', 'invoice\\u202eexe.pdf\\u2066'],
    ['newline and tab on one line', 'a\nb\tc', 'a\\x0ab\\x09c'],
  ])('%s', (_name, text, expected) => {
    expect(printable(text)).toBe(expected);
  });

  it('keeps newlines and tabs when multiline, still escaping the rest', () => {
    expect(printable('a\nb\tc\u001b[31m', { multiline: true })).toBe('a\nb\tc\\x1b[31m');
  });

  it('is applied to every table cell and header', () => {
    const table = formatTable(['name\u001b[1m'], [{ 'name\u001b[1m': 'Eve\u001b]0;x\u0007' }]);
    expect([...table].filter((c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f')))).toEqual([]);
    expect(table.split('\n')[2]).toBe('Eve\\x1b]0;x\\x07');
  });
});
