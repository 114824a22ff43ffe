/**
 * Conformance run over real Zoom webhook bodies published by others (../shared/corpus/webhooks, see its
 * PROVENANCE.md). Each body is signed with a test secret and POSTed to the local receiver (the same core as the
 * Lambda); then the lake is checked: every JSON-valid body answered 200 and is in webhook_events once, under the
 * SHA-256 of its bytes, kept byte for byte unless it held a credential (then masked: still JSON, same keys)
 * (url_validation is answered with its token instead); every body of a family with a typed table (FAMILIES) has its typed
 * row, holding the body's key values and none of its credentials; every invalid-JSON body got 400, and only the bodies
 * PROVENANCE.md lists as invalid did. Prints counts as JSON; exits 1 on any mismatch.
 * Usage: npm run conformance [-- DIR]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseConfig } from '#config/load.ts';
import { isCredentialField, isCredentialName, maskUrlParams } from '#core/mask/credentials.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { zoomSignature } from '#core/webhook/verify.ts';
import { makeLocalRuntime } from '#local/pipeline/runtime.ts';
import { startWebhookServer } from '#local/pipeline/webhook-server.ts';

const dir = resolve(process.argv[2] ?? '../shared/corpus/webhooks');
if (!existsSync(dir)) {
  console.log(JSON.stringify({ conformance: 'skipped', reason: `no corpus at ${dir}` }));
  process.exit(0);
}

/**
 * Where a body's key value must land: a path from the body's root (`.` between fields, `[]` for every item of an array,
 * `[-1]` for its last item, `**` for every leaf below), the typed column, and how the cell holds it: `equal` (the same
 * text), `masked` (the value with its credential URL parameters masked) or `json` (a leaf of the cell's JSON).
 */
type Key = readonly [path: string, column: string, how?: 'equal' | 'masked' | 'json'];

/** One family of events (by body `event`), the typed table its bodies land in, and the key values each must keep there. */
interface Family {
  /** What the report calls the family. */
  readonly name: string;
  readonly table: string;
  readonly events: RegExp;
  readonly keys: readonly Key[];
}

const o = 'payload.object';
const participant = `${o}.participant`;

/**
 * The typed tables of the webhook issues (#8, #16), by event name, with the body values each row must keep: the
 * expectation, written from the corpus bodies and docs/zoom-contract.md, kept apart from the normaliser it tests.
 * A key is checked when the body has a value there (not null, not "").
 */
const FAMILIES: readonly Family[] = [
  {
    name: 'participant, joins before the host included',
    table: 'participant_events',
    events:
      /^(meeting|webinar)\.(participant_(joined|left|joined_waiting_room|left_waiting_room|admitted|put_in_waiting_room|role_changed|jbh_joined|jbh_waiting|jbh_waiting_left)|sharing_(started|ended))$/,
    keys: [
      [`${o}.id`, 'meeting_id'],
      [`${o}.uuid`, 'meeting_uuid'],
      [`${o}.host_id`, 'host_id'],
      [`${o}.topic`, 'topic'],
      [`${participant}.user_id`, 'participant_id'],
      [`${participant}.id`, 'participant_user_id'],
      [`${participant}.participant_uuid`, 'participant_uuid'],
      [`${participant}.user_name`, 'user_name'],
      [`${participant}.email`, 'email'],
      [`${participant}.registrant_id`, 'registrant_id'],
      [`${participant}.customer_key`, 'customer_key'],
      [`${participant}.public_ip`, 'public_ip'],
      [`${participant}.leave_reason`, 'leave_reason'],
      [`${participant}.old_role`, 'old_role'],
      [`${participant}.new_role`, 'new_role'],
      [`${participant}.sharing_details.content`, 'sharing_content'],
    ],
  },
  {
    name: 'meeting and webinar, risk and quality alerts included',
    table: 'meeting_events',
    events: /^(meeting|webinar)\.(created|updated|deleted|permanently_deleted|recovered|started|ended|risk_alert|alert)$/,
    keys: [
      [`${o}.id`, 'meeting_id'],
      [`${o}.uuid`, 'meeting_uuid'],
      [`${o}.host_id`, 'host_id'],
      [`${o}.host_email`, 'host_email'],
      [`${o}.topic`, 'topic'],
      [`${o}.timezone`, 'timezone'],
      ['payload.operator', 'operator'],
      ['payload.operator_id', 'operator_id'],
      [`${o}.settings.waiting_room`, 'waiting_room'],
      [`${o}.settings.meeting_authentication`, 'meeting_authentication'],
      [`${o}.settings.join_before_host`, 'join_before_host'],
      [`${o}.settings.use_pmi`, 'use_pmi'],
      [`${o}.armn_details.post_platform`, 'risk_post_platform'],
      [`${o}.armn_details.social_link`, 'risk_post_url', 'masked'],
      [`${o}.armn_details.meeting_url`, 'risk_meeting_url', 'masked'],
      [`${o}.armn_details.post_user`, 'details_json', 'json'],
      [`${o}.issues`, 'details_json', 'json'],
      [`${o}.issues[]`, 'details_json', 'json'],
      ['payload.old_object.settings.**', 'details_json', 'json'],
    ],
  },
  {
    name: 'recording',
    table: 'recording_events',
    events: /^recording\.(completed|deleted|trashed|recovered|batch_deleted|batch_trashed|batch_recovered|renamed)$/,
    keys: [
      [`${o}.id`, 'meeting_id'],
      [`${o}.uuid`, 'meeting_uuid'],
      [`${o}.meetings[].meeting_uuid`, 'meeting_uuid'],
      [`${o}.meeting_uuids[]`, 'meeting_uuid'],
      [`${o}.host_id`, 'host_id'],
      [`${o}.host_email`, 'host_email'],
      [`${o}.topic`, 'topic'],
      [`${o}.share_url`, 'share_url', 'masked'],
      ['payload.operator', 'operator'],
      ['payload.operator_id', 'operator_id'],
    ],
  },
  {
    name: 'user',
    table: 'user_events',
    events: /^user\.(signed_in|signed_out|created|updated|deactivated|activated|deleted|disassociated|settings_updated)$/,
    keys: [
      [`${o}.id`, 'user_id'],
      [`${o}.email`, 'email'],
      [`${o}.client_type`, 'client_type'],
      [`${o}.version`, 'client_version'],
      ['payload.operator', 'operator'],
      ['payload.operator_id', 'operator_id'],
    ],
  },
  {
    name: 'account',
    table: 'account_events',
    events: /^account\./,
    keys: [
      ['payload.account_id', 'account_id'],
      ['payload.operator', 'operator'],
      ['payload.operator_id', 'operator_id'],
      [`${o}.settings.**`, 'settings_json', 'json'],
      ['payload.old_object.settings.**', 'old_settings_json', 'json'],
    ],
  },
  {
    name: 'group and information barrier',
    table: 'account_events',
    events: /^(group|information_barriers)\./,
    keys: [
      ['payload.account_id', 'account_id'],
      ['payload.operator', 'operator'],
      ['payload.operator_id', 'operator_id'],
      [`${o}.id`, 'object_id'],
      [`${o}.name`, 'settings_json', 'json'],
      [`${o}.admins[].email`, 'settings_json', 'json'],
      [`${o}.members[].email`, 'settings_json', 'json'],
      [`${o}.settings.**`, 'settings_json', 'json'],
      [`${o}.policy_name`, 'settings_json', 'json'],
      [`${o}.new_policy.policy_name`, 'settings_json', 'json'],
      [`${o}.new_policy.settings.**`, 'settings_json', 'json'],
      ['payload.old_object.name', 'old_settings_json', 'json'],
      ['payload.old_object.settings.**', 'old_settings_json', 'json'],
    ],
  },
  {
    name: 'registration and invitation',
    table: 'registration_events',
    events:
      /^((meeting|webinar)\.(registration_(created|approved|cancelled|denied)|invitation_(accepted|dispatched|rejected|timeout))|recording\.registration_(created|approved|denied))$/,
    keys: [
      [`${o}.id`, 'meeting_id'],
      [`${o}.uuid`, 'meeting_uuid'],
      [`${o}.host_id`, 'host_id'],
      [`${o}.topic`, 'topic'],
      ['payload.operator', 'operator'],
      ['payload.operator_id', 'operator_id'],
      [`${o}.registrant.id`, 'registrant_id'],
      [`${o}.registrant.email`, 'email'],
      [`${o}.registrant.first_name`, 'first_name'],
      [`${o}.registrant.last_name`, 'last_name'],
      [`${participant}.participant_user_id`, 'participant_user_id'],
      [`${participant}.email`, 'email'],
    ],
  },
  {
    name: 'chat file',
    table: 'meeting_chat_events',
    events: /^(meeting|webinar)\.chat_message_file_(sent|downloaded)$/,
    keys: [
      [`${o}.id`, 'meeting_id'],
      [`${o}.meeting_id`, 'meeting_id'],
      [`${o}.webinar_id`, 'meeting_id'],
      [`${o}.uuid`, 'meeting_uuid'],
      [`${o}.meeting_uuid`, 'meeting_uuid'],
      [`${o}.webinar_uuid`, 'meeting_uuid'],
      ['payload.operator', 'operator'],
      ['payload.operator_id', 'operator_id'],
      ...['message_id', 'sender_name', 'sender_email', 'sender_type', 'recipient_name', 'recipient_email', 'recipient_type'].map(
        (f): Key => [`${o}.chat_message_file.${f}`, f],
      ),
      ...['file_id', 'file_name', 'file_size', 'file_type', 'file_owner_id'].map((f): Key => [`${o}.chat_message_file.${f}`, f]),
    ],
  },
  {
    name: 'participant QoS, feedback and data',
    table: 'participant_quality_events',
    events: /^(meeting|webinar)\.participant_(qos|qos_summary|feedback|data|data_summary)$/,
    keys: [
      [`${o}.id`, 'meeting_id'],
      [`${o}.uuid`, 'meeting_uuid'],
      [`${participant}.participant_user_id`, 'participant_user_id'],
      [`${participant}.id`, 'participant_user_id'],
      [`${participant}.participant_uuid`, 'participant_uuid'],
      [`${participant}.user_name`, 'user_name'],
      [`${participant}.email`, 'email'],
      [`${participant}.data[-1].device`, 'device'],
      [`${participant}.data[-1].pc_name`, 'pc_name'],
      [`${participant}.data[-1].domain`, 'domain'],
      [`${participant}.data[-1].version`, 'version'],
      [`${participant}.data[-1].signaling_ip_address`, 'ip_address'],
      [`${participant}.qos[].type`, 'details_json', 'json'],
      [`${participant}.feedback.satisfied`, 'satisfied'],
      [`${participant}.feedback.feedback_details[].name`, 'details_json', 'json'],
    ],
  },
];

/** The leaf values (strings, numbers, booleans) at a key's path in a parsed body. */
function valuesAt(body: unknown, path: string): unknown[] {
  let at: unknown[] = [body];
  for (const step of path.split('.')) {
    const [, name, index] = /^([^[]*)(\[-?1?\])?$/.exec(step) ?? [];
    const next: unknown[] = [];
    for (const v of at) {
      if (typeof v !== 'object' || v === null) continue;
      if (name === '**') next.push(...leaves(v));
      else {
        const field = (v as Record<string, unknown>)[name!];
        if (index === undefined) next.push(field);
        else if (Array.isArray(field)) next.push(...(index === '[]' ? field : field.slice(-1)));
      }
    }
    at = next;
  }
  return at.filter((v) => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v !== ''));
}

function leaves(v: unknown): unknown[] {
  if (typeof v !== 'object' || v === null) return [v];
  return Object.values(v).flatMap(leaves);
}

/** Whether a typed cell holds a body value as the key says. */
function holds(cell: unknown, value: unknown, how: Key[2] = 'equal'): boolean {
  if (cell === null || cell === undefined) return false;
  if (how === 'json') return typeof cell === 'string' && leaves(JSON.parse(cell)).some((l) => String(l) === String(value));
  return String(cell) === (how === 'masked' ? maskUrlParams(String(value)) : String(value));
}

/** The credential values a body holds (credential fields, credential URL parameters), to find in no typed cell. */
function credentialsIn(body: unknown, key = '', parent?: string): string[] {
  if (Array.isArray(body)) return body.flatMap((v) => credentialsIn(v, key, parent));
  if (typeof body === 'object' && body !== null) return Object.entries(body).flatMap(([k, v]) => credentialsIn(v, k, key));
  if (typeof body !== 'string' && typeof body !== 'number') return [];
  const text = String(body);
  if (isCredentialField(key, parent)) return text.length >= 4 ? [text] : [];
  return [...text.matchAll(/[?&#]([\w.~-]+)=([^&#\s"]{4,})/g)].filter((m) => isCredentialName(m[1]!)).map((m) => m[2]!);
}

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
  key_values_checked: 0,
  key_values_typed: 0,
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
    // The typed rows of each table, by the webhook_events record they came from.
    const typed = new Map<string, Map<string, Record<string, unknown>[]>>();
    for (const table of new Set(FAMILIES.map((f) => f.table))) {
      const byRecord = new Map<string, Record<string, unknown>[]>();
      for (const row of (await engine.query(`SELECT * FROM ${table}`)).rows) {
        const id = String(row.source_record_id);
        byRecord.set(id, [...(byRecord.get(id) ?? []), row]);
      }
      typed.set(table, byRecord);
    }
    const byFamily: Record<string, number> = {};
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
      const family = FAMILIES.find((f) => f.events.test(event));
      if (!family) continue;
      counts.typed_expected++;
      byFamily[family.name] = (byFamily[family.name] ?? 0) + 1;
      const rows = typed.get(family.table)!.get(hit.recordId) ?? [];
      if (rows.length === 0) {
        failures.push(`${file}: no ${family.table} row for ${event}`);
        continue;
      }
      counts.typed_present++;
      const body: unknown = JSON.parse(texts.get(h)!);
      for (const [path, column, how] of family.keys) {
        for (const value of valuesAt(body, path)) {
          counts.key_values_checked++;
          if (rows.some((row) => holds(row[column], value, how))) counts.key_values_typed++;
          else failures.push(`${file}: ${path} = ${JSON.stringify(value)} is not in ${family.table}.${column}`);
        }
      }
      const cells = JSON.stringify(rows);
      for (const secret of credentialsIn(body)) if (cells.includes(secret)) failures.push(`${file}: a credential of the body is in ${family.table}`);
    }
    Object.assign(counts, { typed_by_family: byFamily });
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
