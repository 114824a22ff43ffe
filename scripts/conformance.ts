/**
 * Conformance run over real Zoom webhook bodies published by others (../shared/corpus/webhooks, see its
 * PROVENANCE.md). Each body is signed with a test secret and POSTed to the local receiver (the same core as the
 * Lambda); then the lake is checked: every JSON-valid body answered 200 and is in webhook_events once, under the
 * SHA-256 of its bytes, kept byte for byte unless it held a credential (then masked: still JSON, same keys)
 * (url_validation is answered with its token instead); every body of a family with a typed table has its typed row; every invalid-JSON body got 400, and only the
 * bodies PROVENANCE.md lists as invalid did. Prints counts as JSON; exits 1 on any mismatch.
 * Usage: npm run conformance [-- DIR]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseConfig } from '#config/load.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer } from '#local/pipeline/webhook-server.ts';

const dir = resolve(process.argv[2] ?? '../shared/corpus/webhooks');
if (!existsSync(dir)) {
  console.log(JSON.stringify({ conformance: 'skipped', reason: `no corpus at ${dir}` }));
  process.exit(0);
}

/** The typed tables of the webhook issue, by event name: the expectation, kept apart from the normaliser. */
const FAMILIES: readonly [string, RegExp][] = [
  [
    'participant_events',
    /^(meeting|webinar)\.(participant_(joined|left|joined_waiting_room|left_waiting_room|admitted|put_in_waiting_room|role_changed)|sharing_(started|ended))$/,
  ],
  ['meeting_events', /^meeting\.(created|updated|deleted|permanently_deleted|started|ended|risk_alert)$/],
  ['recording_events', /^recording\.(completed|deleted|trashed|recovered|batch_deleted|batch_trashed|batch_recovered|renamed)$/],
  ['user_events', /^user\.(signed_in|signed_out|created|updated|deactivated|activated|deleted|disassociated|settings_updated)$/],
  ['account_events', /^account\./],
];

function files(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(folder, e.name)) : e.name.endsWith('.json') ? [join(folder, e.name)] : [],
  );
}

// PROVENANCE.md (beside the webhooks folder) lists the bodies that are not valid JSON upstream.
const provenanceFile = join(dirname(dir), 'PROVENANCE.md');
const listed = existsSync(provenanceFile)
  ? (readFileSync(provenanceFile, 'utf8').split('Files that are **not valid JSON** upstream:')[1] ?? '').trimStart().split('\n')
  : [];
const listEnd = listed.findIndex((line) => !line.startsWith('- '));
const knownInvalid = new Set(
  listed
    .slice(0, listEnd === -1 ? undefined : listEnd)
    .map((line) => /`webhooks\/([^`]+)`/.exec(line)?.[1])
    .filter((f): f is string => f !== undefined),
);

/** Whether two JSON values have the same keys, array lengths and non-string values (masking only rewrites strings and credential numbers). */
function sameShape(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameShape(x, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => k in b && sameShape((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return typeof a === 'string' || typeof b === 'string' ? typeof a === typeof b || a === '[redacted]' : a === b;
}

const SECRET = 'conformance-secret';
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const work = mkdtempSync(join(tmpdir(), 'zoomlake-conformance-'));
const failures: string[] = [];
const counts = {
  bodies: 0,
  json_valid: 0,
  accepted: 0,
  url_validation: 0,
  in_webhook_events: 0,
  masked: 0,
  typed_expected: 0,
  typed_present: 0,
  invalid_json: 0,
  rejected_400: 0,
};
try {
  const rt = makeLocalRuntime(parseConfig({}), work);
  const pipeline = rt.webhookPipeline();
  const server = await startWebhookServer({
    pipeline,
    bodies: rt.store,
    clock: rt.clock,
    secret: SECRET,
    host: '127.0.0.1',
    port: 0,
    flushIntervalMs: 3_600_000,
    receiver: { ...rt.config.webhook, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: () => undefined,
  });
  const sent = new Map<string, { file: string; event: string }>();
  const texts = new Map<string, string>();
  try {
    for (const file of files(dir).sort()) {
      const name = relative(dir, file);
      const text = readFileSync(file, 'utf8');
      let event: string | undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        event = typeof parsed === 'object' && parsed !== null && 'event' in parsed ? String(parsed.event) : '';
      } catch {
        event = undefined;
      }
      counts.bodies++;
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-zm-request-timestamp': ts,
          'x-zm-signature': zoomSignature(SECRET, ts, Buffer.from(text, 'utf8')),
        },
        body: text,
      });
      const reply = await res.text();
      if (event === undefined) {
        counts.invalid_json++;
        if (res.status === 400) counts.rejected_400++;
        else failures.push(`${name}: invalid JSON answered ${res.status}, not 400`);
        if (!knownInvalid.has(name)) failures.push(`${name}: invalid JSON, but PROVENANCE.md does not list it`);
        continue;
      }
      counts.json_valid++;
      if (res.status === 200) counts.accepted++;
      else failures.push(`${name}: valid JSON answered ${res.status}`);
      if (knownInvalid.has(name)) failures.push(`${name}: PROVENANCE.md lists it as invalid JSON, yet it parsed`);
      // url_validation is answered inline with the token, never stored.
      if (event === 'endpoint.url_validation') {
        counts.url_validation++;
        if (!/"encryptedToken":"[0-9a-f]{64}"/.test(reply)) failures.push(`${name}: url_validation not answered with a token`);
        continue;
      }
      sent.set(sha(text), { file: name, event });
      texts.set(sha(text), text);
    }
  } finally {
    await server.close();
  }

  const engine = await rt.openQueryEngine();
  try {
    const stored = new Map<string, { recordId: string; raw: string; copies: number }>();
    for (const row of (await engine.query('SELECT raw, record_id, payload_sha256 FROM webhook_events')).rows) {
      const h = String(row.payload_sha256);
      stored.set(h, { recordId: String(row.record_id), raw: String(row.raw), copies: (stored.get(h)?.copies ?? 0) + 1 });
    }
    const typedIds = new Map<string, Set<string>>();
    for (const [table] of FAMILIES) {
      const { rows } = await engine.query(`SELECT DISTINCT source_record_id FROM ${table}`);
      typedIds.set(table, new Set(rows.map((r) => String(r.source_record_id))));
    }
    for (const [h, { file, event }] of sent) {
      const hit = stored.get(h);
      if (!hit) {
        failures.push(`${file}: missing from webhook_events`);
        continue;
      }
      counts.in_webhook_events++;
      if (hit.raw !== texts.get(h)) {
        counts.masked++;
        if (!sameShape(JSON.parse(hit.raw), JSON.parse(texts.get(h)!))) failures.push(`${file}: stored altered beyond masking`);
      }
      if (hit.copies > 1) failures.push(`${file}: reads ${hit.copies} times through the view`);
      const family = FAMILIES.find(([, re]) => re.test(event));
      if (!family) continue;
      counts.typed_expected++;
      if (typedIds.get(family[0])!.has(hit.recordId)) counts.typed_present++;
      else failures.push(`${file}: no ${family[0]} row for ${event}`);
    }
  } finally {
    engine.close();
  }
  for (const f of knownInvalid) if (!existsSync(join(dir, f))) failures.push(`PROVENANCE.md lists ${f}, which is not in the corpus`);
  console.log(
    JSON.stringify({
      conformance: failures.length === 0 ? 'passed' : 'failed',
      corpus: dir,
      ...counts,
      distinct_stored_bodies: sent.size,
      failures: failures.length,
    }),
  );
  for (const f of failures) console.log(`  ${f}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failures.length === 0 ? 0 : 1);
