import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '#config/load.ts';
import { rawTableName } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { LOAD_MAX_FILE_BYTES, readBounded } from '#local/cli/load.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer, type WebhookServer } from '#local/pipeline/webhook-server.ts';
import { runCli } from '../support/cli-process.ts';

const cli = (...argv: string[]) => runCli(argv);

const tempDir = () => mkdtempSync(join(tmpdir(), 'zoomlake-load-'));
const SAMPLES = new URL('../../samples/webhooks.ndjson', import.meta.url).pathname;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** Lines of stderr; a stack trace would add lines starting with "    at ". */
const errLines = (err: string) => err.split('\n').filter((l) => l !== '');

async function rowsOf(dir: string, sql: string) {
  const engine = await makeLocalRuntime(parseConfig({}), dir).openQueryEngine();
  try {
    return (await engine.query(sql)).rows;
  } finally {
    engine.close();
  }
}

const SECRET = 'load-test-secret';
const servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Posts each body, signed, to a webhook server on `dir` (serve's receive path), then writes what it accepted. */
async function receiveViaServe(dir: string, bodies: readonly string[]) {
  const rt = makeLocalRuntime(parseConfig({}), dir);
  const pipeline = rt.webhookPipeline();
  const server = await startWebhookServer({
    pipeline,
    bodies: rt.store,
    clock: rt.clock,
    secret: SECRET,
    host: '127.0.0.1',
    port: 0,
    flushIntervalMs: 60_000,
    receiver: { ...rt.config.webhook, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: () => undefined,
  });
  servers.push(server);
  const statuses = [];
  for (const body of bodies) {
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(server.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-zm-request-timestamp': ts,
        'x-zm-signature': zoomSignature(SECRET, ts, Buffer.from(body, 'utf8')),
      },
    });
    statuses.push(res.status);
  }
  await server.flush();
  return statuses;
}

describe('zoomlake load', () => {
  it('stores the rows serve stores for the same bodies: webhook_events and every typed table', async () => {
    const lines = readFileSync(SAMPLES, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const served = tempDir();
    const statuses = await receiveViaServe(served, lines);
    // The broken sample body (line 15) is refused by serve too.
    expect(statuses.filter((s) => s !== 200)).toEqual([400]);
    const loaded = tempDir();
    const { code } = await cli('load', SAMPLES, '--dir', loaded);
    expect(code).toBe(0);

    let typedRows = 0;
    for (const def of TABLES.filter((t) => t.source === 'webhook')) {
      // received_at and ingested_at are the times of receipt and write, which differ between the two runs by nature.
      const sql =
        `SELECT * EXCLUDE (ingested_at${def.columns.some((c) => c.name === 'received_at') ? ', received_at' : ''}) ` +
        `FROM ${rawTableName(def)} ORDER BY ALL`;
      const viaServe = await rowsOf(served, sql);
      expect(await rowsOf(loaded, sql), def.name).toEqual(viaServe);
      if (def.name !== 'webhook_events') typedRows += viaServe.length;
    }
    // The comparison covers real typed rows, not two empty tables.
    expect(typedRows).toBeGreaterThanOrEqual(10);
    const joined = await rowsOf(loaded, "SELECT count(*) AS n FROM participant_events WHERE event = 'meeting.participant_joined'");
    expect(Number(joined[0]!.n)).toBe(3);
  });

  it('keeps each array element byte for byte: raw is the element text with its spacing, payload_sha256 its hash', async () => {
    const dir = tempDir();
    const elements = [
      '{ "event" : "meeting.started",\n    "event_ts": 1795167004000, "payload": { "object": { "id": 1, "topic": "Zoë [a, b] \\"q\\"" } } }',
      '{"event":"meeting.ended","event_ts":1795169550000,"payload":{"object":{"id":1.0}}}',
    ];
    writeFileSync(join(dir, 'export.json'), `[\n  ${elements[0]} ,\n\t${elements[1]}\n]\n`);
    const { code, out } = await cli('load', join(dir, 'export.json'), '--dir', dir);
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('loaded 2 webhook bodies') });
    const rows = await rowsOf(dir, 'SELECT raw, payload_sha256 FROM webhook_events ORDER BY event_time');
    expect(rows).toEqual(elements.map((raw) => ({ raw, payload_sha256: sha256(raw) })));
    const meetings = await rowsOf(dir, 'SELECT event, meeting_id, topic FROM meeting_events ORDER BY event_time');
    expect(meetings).toEqual([
      { event: 'meeting.started', meeting_id: '1', topic: 'Zoë [a, b] "q"' },
      { event: 'meeting.ended', meeting_id: '1', topic: null },
    ]);
  });

  it('loads the other files when one cannot be read, and exits 1 with one line naming it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'good.ndjson'), '{"event":"meeting.started","payload":{"object":{"id":7}}}\n');
    const missing = join(dir, 'missing.json');
    const { code, out, err } = await cli('load', missing, join(dir, 'good.ndjson'), '--dir', dir);
    expect(code).toBe(1);
    expect(errLines(err)).toEqual([`zoomlake load: cannot read ${missing}: no such file or directory`]);
    expect(out).toContain('good.ndjson: loaded 1 webhook bodies');
    expect(await rowsOf(dir, 'SELECT meeting_id FROM meeting_events')).toEqual([{ meeting_id: '7' }]);
  });

  it('escapes control characters of a file name in what it prints', async () => {
    const dir = tempDir();
    const missing = join(dir, 'x\u001b]0;owned\u0007.json');
    const { code, err } = await cli('load', missing, '--dir', dir);
    expect(code).toBe(1);
    expect(err).not.toContain('\u001b');
    expect(err).not.toContain('\u0007');
    expect(err).toContain('x\\x1b]0;owned\\x07.json');
  });

  it('refuses a file over the size limit without reading it (a sparse 700 MB file)', async () => {
    const dir = tempDir();
    const big = join(dir, 'big.ndjson');
    writeFileSync(big, '');
    truncateSync(big, 700 * 1024 * 1024);
    const { code, out, err } = await cli('load', big, '--dir', dir);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(errLines(err)).toEqual([
      `zoomlake load: ${big} is 700.0 MiB, over load's limit of ${LOAD_MAX_FILE_BYTES / 1024 / 1024}.0 MiB per file; ` +
        'split it into smaller files (NDJSON: split -l 100000 FILE part-) and load those',
    ]);
  });

  it('reads a pipe up to the limit and no further', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    /** A writer of `bytes` bytes into the pipe; resolves when it has exited (early, by SIGPIPE, once the reader stops). */
    const feed = (bytes: number) => {
      const child = spawn('sh', ['-c', `head -c ${bytes} /dev/zero > "$0"`, fifo], { stdio: 'ignore' });
      return new Promise((resolve) => child.on('close', resolve));
    };
    const small = feed(3_000_000);
    expect((await readBounded(fifo, 4_000_000)).byteLength).toBe(3_000_000);
    await small;
    const large = feed(3_000_000);
    await expect(readBounded(fifo, 2_000_000)).rejects.toThrow(`${fifo} is more than 1.9 MiB, over load's limit of 1.9 MiB per file`);
    await large;
  });

  it.each([
    [
      'a binary file',
      (dir: string) => {
        writeFileSync(join(dir, 'f'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x7b, 0x0a, 0xff]));
      },
      /^zoomlake load: \S+ is not text \(a NUL byte at offset 3: binary, compressed or UTF-16\?\); load takes UTF-8 webhook bodies/,
    ],
    [
      'a file with no valid body',
      (dir: string) => {
        writeFileSync(join(dir, 'f'), 'not json\n{"no_event":1}\n[1,2]\n');
      },
      /^zoomlake load: nothing loaded from \S+: all 3 bodies were rejected \(first: body 1, not_envelope: body is not valid JSON\)/,
    ],
    [
      'a file in Latin-1, not UTF-8',
      (dir: string) => {
        writeFileSync(join(dir, 'f'), Buffer.from('{"event":"meeting.started","payload":{"object":{"topic":"Zo\u00eb"}}}\n', 'latin1'));
      },
      /^zoomlake load: nothing loaded from \S+: all 1 bodies were rejected \(first: body 1, body_not_utf8\)/,
    ],
    [
      'an empty file',
      (dir: string) => {
        writeFileSync(join(dir, 'f'), '\n\n');
      },
      /^zoomlake load: \S+ holds no webhook bodies; load takes JSON, a JSON array or NDJSON$/,
    ],
    [
      'an empty JSON array',
      (dir: string) => {
        writeFileSync(join(dir, 'f'), '[]');
      },
      /^zoomlake load: \S+ holds no webhook bodies/,
    ],
    [
      'a directory',
      (dir: string) => {
        mkdirSync(join(dir, 'f'));
      },
      /^zoomlake load: cannot read \S+: is a directory$/,
    ],
  ])('refuses %s with one line on stderr and exit 1, writing nothing', async (_name, make, line) => {
    const dir = tempDir();
    make(dir);
    const { code, err } = await cli('load', join(dir, 'f'), '--dir', dir);
    expect(code).toBe(1);
    expect(errLines(err)).toEqual([expect.stringMatching(line)]);
    expect(readdirSync(dir)).not.toContain('lake');
  });

  it('loads the good bodies of a mixed file, lists the others by body and line, and exits 0', async () => {
    const dir = tempDir();
    const lines = [
      '{"event":"meeting.started","payload":{"object":{"id":1,"topic":"ok"}}}',
      '',
      '{"event":"endpoint.url_validation","payload":{"plainToken":"abc"}}',
      `{"event":"meeting.started","payload":{"object":{"id":2,"topic":"${'p'.repeat(3 * 1024 * 1024)}"}}}`,
      '{"event":"meeting.started","payload":{"object":{"id":3,"topic":"\\u001b[2Kgone"}}}',
      '{"event":"meeting.started","payload":',
    ];
    writeFileSync(join(dir, 'mixed.ndjson'), lines.join('\r\n'));
    const { code, out, err } = await cli('load', join(dir, 'mixed.ndjson'), '--dir', dir);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.split('\n').slice(0, 4)).toEqual([
      `${join(dir, 'mixed.ndjson')}: loaded 2 webhook bodies into ${join(dir, 'lake')}, rejected 3:`,
      '  body 2 (line 3): url_validation: endpoint.url_validation is a handshake; serve answers it and stores nothing',
      `  body 3 (line 4): too_large: ${lines[3]!.length} bytes, over webhook.maxBodyBytes (2097152); serve would answer 413`,
      '  body 5 (line 6): not_envelope: body is not valid JSON',
    ]);
    expect(await rowsOf(dir, 'SELECT meeting_id FROM meeting_events ORDER BY meeting_id')).toEqual([{ meeting_id: '1' }, { meeting_id: '3' }]);
  });
});
