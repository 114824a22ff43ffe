/**
 * Conformance run over ../shared/corpus (real Zoom payloads published by others): every webhook body that is a
 * valid envelope must land in the local lake byte for byte and read once through the webhook_events view; every
 * body we refuse must be one PROVENANCE.md lists as defective upstream. Exits 1 on any mismatch.
 * Usage: npm run conformance [-- CORPUS_DIR]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseConfig } from '#config/load.ts';
import { EnvelopeError, parseEnvelope } from '#core/webhook/envelope.ts';
import { loadWebhookBodies } from '#local/cli/load.ts';
import { makeLocalRuntime } from '#local/runtime.ts';

const corpus = resolve(process.argv[2] ?? '../shared/corpus');
if (!existsSync(corpus)) {
  console.log(JSON.stringify({ conformance: 'skipped', reason: `no corpus at ${corpus}` }));
  process.exit(0);
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []);
}

// PROVENANCE.md lists the bodies that are not valid JSON upstream; nothing else may be refused.
const provenance = readFileSync(join(corpus, 'PROVENANCE.md'), 'utf8');
const listed = (provenance.split('Files that are **not valid JSON** upstream:')[1] ?? '').trimStart().split('\n');
const listEnd = listed.findIndex((line) => !line.startsWith('- '));
const knownInvalid = new Set(
  listed.slice(0, listEnd === -1 ? undefined : listEnd).map((line) => /`(webhooks\/[^`]+)`/.exec(line)?.[1]).filter((f): f is string => f !== undefined),
);

const bodies: string[] = [];
const refused: string[] = [];
for (const file of files(join(corpus, 'webhooks')).sort()) {
  const text = readFileSync(file, 'utf8');
  try {
    parseEnvelope(text);
    bodies.push(text);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    refused.push(relative(corpus, file));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'zoomlake-conformance-'));
const failures: string[] = [];
try {
  const rt = makeLocalRuntime(parseConfig({}), dir);
  const result = await loadWebhookBodies(bodies, rt.writer('conformance'), rt.clock.now());
  for (const r of result.rejected) failures.push(`valid envelope rejected by the writer: body ${r.item}: ${r.reason}`);
  const engine = await rt.openQueryEngine();
  try {
    const { rows } = await engine.query('SELECT raw FROM webhook_events');
    const stored = new Map<string, number>();
    for (const row of rows) {
      const h = createHash('sha256').update(String(row.raw)).digest('hex');
      stored.set(h, (stored.get(h) ?? 0) + 1);
    }
    const sent = new Set(bodies.map((b) => createHash('sha256').update(b).digest('hex')));
    for (const h of sent) if (!stored.has(h)) failures.push(`body ${h.slice(0, 12)} is missing from webhook_events or was altered`);
    for (const [h, n] of stored) if (n > 1) failures.push(`body ${h.slice(0, 12)} reads ${n} times through the view`);
    const { rows: bad } = await engine.query('SELECT count(*) AS n FROM webhook_events WHERE event_time < TIMESTAMP \'2000-01-01 00:00:00\'');
    if (Number(bad[0]!.n) > 0) failures.push(`${bad[0]!.n} rows have an event_time before 2000`);
  } finally {
    engine.close();
  }
  for (const f of refused) if (!knownInvalid.has(f)) failures.push(`refused ${f}, which PROVENANCE.md does not list as invalid`);
  for (const f of knownInvalid) if (!refused.includes(f)) failures.push(`accepted ${f}, which PROVENANCE.md lists as invalid JSON`);
  console.log(JSON.stringify({ conformance: failures.length === 0 ? 'passed' : 'failed', webhook_bodies: bodies.length + refused.length,
    stored: result.accepted, refused: refused.length, known_invalid: knownInvalid.size, failures: failures.length }));
  for (const f of failures) console.log(`  ${f}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failures.length === 0 ? 0 : 1);
