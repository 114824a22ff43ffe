import { inspect } from 'node:util';
import { vi } from 'vitest';
import { SecretError } from '#core/errors.ts';
import type { SecretProvider } from '#core/ports.ts';

/**
 * Text inside every malformed secret below; no part of it may reach an error, a log line or the console. Tests look
 * for its first six characters, as JSON.parse quotes only the first ten or so of the text it cannot read.
 */
export const SENTINEL = 'S3CR3T-Zq8-value';
/** What a leak of SENTINEL shows at the least. */
export const LEAK = SENTINEL.slice(0, 6);

/** Zoom credentials secrets that are not what the functions expect, each holding SENTINEL. */
export const MALFORMED_CREDENTIALS: readonly { readonly name: string; readonly raw: string; readonly says: RegExp }[] = [
  { name: 'the bare client secret', raw: SENTINEL, says: /is not valid JSON/ },
  { name: 'key=value text', raw: `${SENTINEL}=clientSecret`, says: /is not valid JSON/ },
  { name: 'truncated JSON', raw: `{"accountId":"acc","clientId":"cid","clientSecret":"${SENTINEL}"`, says: /is not valid JSON/ },
  { name: 'JSON with a field missing', raw: `{"accountId":"acc","clientId":"${SENTINEL}"}`, says: /missing or not a string: clientSecret$/ },
  {
    name: 'JSON with a field of the wrong type',
    raw: `{"accountId":"acc","clientId":["${SENTINEL}"],"clientSecret":"x"}`,
    says: /missing or not a string: clientId$/,
  },
  { name: 'a JSON array', raw: `["${SENTINEL}"]`, says: /missing or not a string: accountId, clientId, clientSecret$/ },
  { name: 'a JSON string', raw: JSON.stringify(SENTINEL), says: /missing or not a string: accountId, clientId, clientSecret$/ },
];

/** Secrets Manager as a handler sees it: values by secret id. */
export function secretsOf(values: Readonly<Record<string, string>>): SecretProvider {
  return {
    getSecret: async (name) => {
      const value = values[name];
      if (value === undefined) throw new SecretError(`secret "${name}" not found`, false);
      return value;
    },
  };
}

/** Everything written to the console, stdout and stderr while `run` runs. */
export async function consoleOutputOf(run: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  const record = (...args: unknown[]) => void out.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' '));
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) => vi.spyOn(console, m).mockImplementation(record)),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      record(String(chunk));
      return true;
    }),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      record(String(chunk));
      return true;
    }),
  ];
  try {
    await run();
  } catch {
    // the caller asserts on the error itself
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return out;
}

/** Every text a failure exposes: message, stack, inspect (with causes) and JSON. */
export const errorTexts = (error: unknown): string[] => [
  String(error),
  (error as Error).stack ?? '',
  inspect(error, { depth: 5 }),
  JSON.stringify(error),
];
