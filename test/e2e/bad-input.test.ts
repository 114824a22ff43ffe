import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '#local/cli/main.ts';
import { startZoomSimulator } from '#local/zoom-simulator/server.ts';
import { startCli } from '../support/cli-process.ts';

/*
 * Every command, given bad input, fails the way command-line users expect: exactly one line on stderr naming the
 * command, no stack frame, nothing half-done on stdout, exit 2 for a usage or config error and 1 for a failure at
 * run time.
 */

const root = mkdtempSync(join(tmpdir(), 'zoomlake-bad-'));
const missingDir = join(root, 'typo');
const emptyDir = join(root, 'empty');
mkdirSync(emptyDir);
const binary = join(root, 'export.ndjson');
writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x0a]));
const badJson = join(root, 'bad.config.json');
writeFileSync(badJson, '{"internalDomains": ["example.com",]}');
const badValue = join(root, 'bad-value.config.json');
writeFileSync(badValue, JSON.stringify({ watchedUsers: ['not an email'] }));
const badSchedule = join(root, 'bad-schedule.config.json');
writeFileSync(badSchedule, JSON.stringify({ sources: { users: { schedule: 'cron(0 1 * * ? 2027)' } } }));

let sim: Awaited<ReturnType<typeof startZoomSimulator>>;
beforeAll(async () => {
  sim = await startZoomSimulator({ seed: 3 });
});
afterAll(async () => sim.close());

const zoomEnv = (secret = 'sim-client-secret') => ({
  ZOOM_ACCOUNT_ID: 'sim-account-id',
  ZOOM_CLIENT_ID: 'sim-client-id',
  ZOOM_CLIENT_SECRET: secret,
  ZOOM_OAUTH_URL: sim.oauthUrl,
  ZOOM_API_BASE_URL: sim.apiBaseUrl,
  ZOOM_WEBHOOK_SECRET_TOKEN: 'hook-secret',
});
// Port 1 on loopback: nothing listens, so every request fails to connect.
const UNREACHABLE = {
  ZOOM_ACCOUNT_ID: 'a',
  ZOOM_CLIENT_ID: 'b',
  ZOOM_CLIENT_SECRET: 'c',
  ZOOM_OAUTH_URL: 'http://127.0.0.1:1/oauth/token',
  ZOOM_API_BASE_URL: 'http://127.0.0.1:1/v2',
};

interface Case {
  readonly name: string;
  readonly argv: () => string[];
  readonly env?: () => Record<string, string>;
  readonly code: 1 | 2;
  readonly says: RegExp;
}

const CASES: readonly Case[] = [
  // missing file
  {
    name: 'load of a missing file',
    argv: () => ['load', '--dir', join(root, 'l1'), join(root, 'nope.ndjson')],
    code: 1,
    says: /^zoomlake load: cannot read .*nope\.ndjson: no such file or directory/,
  },
  {
    name: 'hunt --file of a missing file',
    argv: () => ['hunt', '--dir', emptyDir, '--file', join(root, 'nope.sql')],
    code: 1,
    says: /^zoomlake hunt: .*nope\.sql: no such file or directory\n$/,
  },
  {
    name: 'report --config of a missing file',
    argv: () => ['report', '--config', join(root, 'nope.json')],
    code: 2,
    says: /^zoomlake report: .*nope\.json/,
  },
  // wrong --dir
  ...['tables', 'detect', 'report', 'status'].map(
    (command): Case => ({
      name: `${command} --dir of a folder that does not exist`,
      argv: () => [command, '--dir', missingDir],
      code: 1,
      says: new RegExp(`^zoomlake ${command}: no data folder at .*typo`),
    }),
  ),
  {
    name: 'hunt --dir of a folder no zoomlake wrote',
    argv: () => ['hunt', '--dir', emptyDir, 'SELECT 1'],
    code: 1,
    says: /^zoomlake hunt: .*empty has no zoomlake data .*: pass --dir with the folder zoomlake run, serve/,
  },
  // Zoom unreachable or refusing the credentials
  {
    name: 'poll with Zoom unreachable',
    argv: () => ['poll', '--dir', join(root, 'p1')],
    env: () => UNREACHABLE,
    code: 1,
    says: /^zoomlake poll: activities: cannot reach Zoom .*check the network/,
  },
  {
    name: 'poll with bad credentials',
    argv: () => ['poll', '--dir', join(root, 'p2')],
    env: () => zoomEnv('wrong'),
    code: 1,
    says: /^zoomlake poll: activities: Zoom refused the credentials/,
  },
  { name: 'poll without credentials', argv: () => ['poll', '--dir', join(root, 'p3')], code: 2, says: /^zoomlake poll: .*ZOOM_ACCOUNT_ID/ },
  {
    name: 'run without credentials',
    argv: () => ['run', '--dir', join(root, 'r1'), '--port', '0'],
    env: () => ({ ZOOM_WEBHOOK_SECRET_TOKEN: 's' }),
    code: 2,
    says: /^zoomlake run: .*ZOOM_ACCOUNT_ID.*sources\.<name>\.enabled/,
  },
  {
    name: 'serve without its secret',
    argv: () => ['serve', '--dir', join(root, 's1'), '--port', '0'],
    code: 2,
    says: /^zoomlake serve: .*ZOOM_WEBHOOK_SECRET_TOKEN/,
  },
  // binary file
  {
    name: 'load of a binary file',
    argv: () => ['load', '--dir', join(root, 'l2'), binary],
    code: 1,
    says: /^zoomlake load: .*export\.ndjson.*binary/,
  },
  // bad config
  {
    name: 'a config that is not JSON',
    argv: () => ['tables', '--config', badJson, '--dir', emptyDir],
    code: 2,
    says: /^zoomlake tables: .*bad\.config\.json/,
  },
  {
    name: 'a config with a bad value',
    argv: () => ['detect', '--config', badValue, '--dir', emptyDir],
    code: 2,
    says: /^zoomlake detect: .*watchedUsers\.0: must be an email address/,
  },
  {
    name: 'run with a schedule it cannot evaluate',
    argv: () => ['run', '--config', badSchedule, '--dir', join(root, 'r2'), '--port', '0'],
    env: zoomEnv,
    code: 2,
    says: /^zoomlake run: sources\.users\.schedule: .*only the year "\*"/,
  },
  // usage
  {
    name: 'an unknown command',
    argv: () => ['frobnicate'],
    code: 2,
    says: /^zoomlake frobnicate: unknown command "frobnicate" \(see zoomlake --help\)\n$/,
  },
  { name: 'an unknown flag', argv: () => ['tables', '--nope'], code: 2, says: /^zoomlake: Unknown option '--nope'/ },
  {
    name: 'run with a bad duration',
    argv: () => ['run', '--poll-every', '5 minutes'],
    code: 2,
    says: /^zoomlake run: --poll-every: a duration is a whole number and a unit/,
  },
  {
    name: 'serve on a port out of range',
    argv: () => ['serve', '--port', '70000'],
    code: 2,
    says: /^zoomlake serve: --port must be 0-65535, got "70000"/,
  },
  { name: 'load without a file', argv: () => ['load', '--dir', join(root, 'l3')], code: 2, says: /^zoomlake load: load needs at least one FILE/ },
];

const STACK_FRAME = /^\s+at /m;

describe('bad input: one line on stderr, no stack frame, the exit code', () => {
  it.each(CASES)(
    '$name',
    async (c) => {
      let out = '';
      let err = '';
      const code = await main(c.argv(), {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          err += t;
        },
        env: c.env?.() ?? {},
        untilStopped: async () => undefined,
      });
      expect({ code, out }).toEqual({ code: c.code, out: '' });
      expect(err).toMatch(c.says);
      expect(err.endsWith('\n') && !err.slice(0, -1).includes('\n')).toBe(true);
      expect(err).not.toMatch(STACK_FRAME);
    },
    60_000,
  );

  // The binary's own top level (bin/zoomlake.ts) prints the same, for a failure in each exit class.
  it.each([
    { argv: ['hunt', '--dir', emptyDir, '--file', join(root, 'nope.sql')], code: 1, says: /^zoomlake hunt: .*no such file or directory\n$/ },
    { argv: ['tables', '--config', badJson, '--dir', emptyDir], code: 2, says: /^zoomlake tables: .*bad\.config\.json.*\n$/ },
  ])('the zoomlake binary: $argv.0 exits $code with one line', async ({ argv, code, says }) => {
    const cli = startCli(argv);
    expect(await cli.exited()).toBe(code);
    expect(cli.stdout()).toBe('');
    expect(cli.stderr()).toMatch(says);
    expect(cli.stderr()).not.toMatch(STACK_FRAME);
  });
});
