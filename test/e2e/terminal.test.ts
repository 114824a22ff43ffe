import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoomSignature } from '#core/webhook/verify.ts';
import { main } from '#local/cli/main.ts';
import { T0, joinEvent } from '../support/webhook-bodies.ts';
import { REALTIME_TEST_CONFIG, alice } from '../support/realtime-cases.ts';
import { RAW_CONTROL } from '../support/terminal.ts';

// A display name that retitles the terminal, a topic that erases the line and reverses the text after it, and a
// folder whose name does both (and has glob characters, for good measure).
const EVE = 'Eve\u001b]0;owned\u0007';
const TOPIC = 'Merger \u001b[2Kprep \u202ecod.exe';
const IMPOSTOR = 'Alice Anders (\u001b]0;owned\u0007)';
const SECRET = 'terminal-test-secret';

const root = mkdtempSync(join(tmpdir(), 'zoomlake-terminal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = join(root, 'lake [1] \u001b[2K\u0007');
const config = join(root, 'config.json');
const env = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main([...argv, '--dir', dir, '--config', config], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    untilStopped: async () => undefined,
  });
  return { code, out, err };
}

function post(url: string, body: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': ts,
      'x-zm-signature': zoomSignature(SECRET, ts, Buffer.from(body, 'utf8')),
    },
    body,
  });
}

let served = '';
beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  writeFileSync(config, JSON.stringify(REALTIME_TEST_CONFIG));
  let stop: () => void = () => undefined;
  const serving = main(['serve', '--port', '0', '--dir', dir, '--config', config], {
    out: (t) => {
      served += t;
    },
    err: (t) => {
      served += t;
    },
    env,
    untilStopped: () =>
      new Promise<void>((resolve) => {
        stop = resolve;
      }),
  });
  for (let i = 0; i < 200 && !served.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 20));
  const url = /listening on (\S+)/.exec(served)![1]!;
  for (const body of [
    alice,
    joinEvent({ name: EVE, email: 'eve@example.com', topic: TOPIC, uuid: 'inst-merger' }),
    joinEvent({ name: IMPOSTOR, topic: TOPIC, uuid: 'inst-merger', at: T0 + 60_000 }),
  ])
    expect((await post(url, body)).status).toBe(200);
  // The realtime checks run after the answer; wait (bounded) for the alerts' console lines: Eve's join is an external
  // in a sensitive meeting, the impostor's that and a guest impersonating an internal user.
  for (let i = 0; i < 250 && (served.match(/^ALERT /gm) ?? []).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  stop();
  expect(await serving).toBe(0);
});

describe('values from Zoom on the terminal', () => {
  it("serve's listening line and alert lines show them escaped", () => {
    expect((served.match(/^ALERT /gm) ?? []).length).toBe(3);
    expect(served).toContain('user_name=Eve\\x1b]0;owned\\x07');
    expect(served).toContain('lake [1] \\x1b[2K\\x07');
    expect(served).not.toMatch(RAW_CONTROL);
  });

  it('alerts.jsonl and the lake keep the exact values', async () => {
    const alerts = readFileSync(join(dir, 'alerts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { detail: { entities: Record<string, string> } });
    expect(new Set(alerts.map((a) => a.detail.entities.user_name))).toEqual(new Set([EVE, IMPOSTOR]));
    const { code, out } = await cli('hunt', '--json', 'SELECT user_name, topic FROM participant_events ORDER BY user_name');
    expect(code).toBe(0);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { user_name: IMPOSTOR, topic: TOPIC },
      { user_name: EVE, topic: TOPIC },
    ]);
  });

  it('hunt prints them escaped in its table', async () => {
    const { code, out } = await cli('hunt', 'SELECT user_name, topic FROM participant_events ORDER BY user_name');
    expect(code).toBe(0);
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out).toMatch(/^Eve\\x1b\]0;owned\\x07\s+Merger \\x1b\[2Kprep \\u202ecod\.exe$/m);
  });

  it('tables and report print no raw control character, the folder name included', async () => {
    for (const result of [await cli('tables'), await cli('report')]) {
      expect(result.code).toBe(0);
      expect(result.out + result.err).not.toMatch(RAW_CONTROL);
    }
  });

  it('detect prints them escaped in its table and as valid JSON lines with --json', async () => {
    const now = new Date(T0 + 3_600_000).toISOString();
    const table = await cli('detect', '--now', now);
    expect(table.out + table.err).not.toMatch(RAW_CONTROL);
    expect(table.out).toContain('user_name=Eve\\x1b]0;owned\\x07');
    const json = await cli('detect', '--now', now, '--json');
    expect(json.out).not.toMatch(RAW_CONTROL);
    const names = json.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { entities: Record<string, string> }).entities.user_name);
    expect(names).toContain(EVE);
  });
});
