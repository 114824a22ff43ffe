import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '#config/load.ts';
import { rawTableName } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import { EnvSecretProvider } from '../env-secret-provider.ts';
import { makeLocalRuntime, type LocalRuntime } from '../runtime.ts';
import { makeLocalRealtime } from '../realtime.ts';
import { makeLocalCorrelation } from '../correlation.ts';
import { startWebhookServer } from '../webhook-server.ts';
import { startZoomSimulator } from '../zoom-simulator/server.ts';
import { httpFetch } from '../http-fetch.ts';
import { pollSource } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import { ZoomHttpClient } from '#core/zoom/client.ts';
import { StateStoreBudget } from '#core/zoom/budget.ts';
import { WEBHOOK_INLINE_BODY_BYTES } from '#core/webhook/receive.ts';
import { runDetections } from '#core/detect/run.ts';
import { writeReport } from '../report/write.ts';
import { formatTable } from './format.ts';
import { EXIT_USAGE, UsageError, errorText } from './errors.ts';
import { runDemo } from './demo.ts';
import { MAX_DAYS, MAX_USERS, MIN_DAYS, MIN_USERS } from '../scenario/scenario.ts';
import { loadWebhookBodies, splitBodies } from './load.ts';

/** Where the CLI writes and what it may read; tests pass buffers, the binary passes the process's own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Environment variables (secrets locally: ZOOM_WEBHOOK_SECRET_TOKEN, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when a long-running command should stop (SIGINT/SIGTERM for the binary). */
  readonly untilStopped: () => Promise<void>;
}

export { UsageError } from './errors.ts';

const USAGE = `usage: zoomlake <command> [--config FILE] [--dir DIR] [options]

commands:
  demo [--users N] [--days N] [--seed N] [--benign] [--json]
                            a generated organisation (default 200 users, 14 days) with planted incidents (none with
                            --benign) through the simulator, signed webhooks, pollers, realtime checks, correlation and
                            every detection; prints the alerts and the score against its manifest, writes DIR/report.html
                            (DIR must be new, empty or an earlier demo's; the demo writes its own DIR/zoomlake.config.json);
                            --json prints one JSON object instead: per detection id the alerts on planted and on benign
                            traffic (by background pattern) and the planted incidents found and missed, and the score
  load FILE...              load Zoom webhook bodies (one JSON body, a JSON array, or NDJSON) into the lake
  hunt "SQL" | --file F     run Athena-dialect SQL over the local lake's views  [--json]
  serve [--port N] [--host H]  receive Zoom webhooks on POST /zoom/webhook (secret: ZOOM_WEBHOOK_SECRET_TOKEN)
  poll [--source NAME]... [--from YYYY-MM-DD --to YYYY-MM-DD]
                            one polling pass over Zoom's report and dashboard APIs (or the simulator)
  simulate [--port N] [--host H] [--plan P]  the Zoom API simulator (OAuth + report/dashboard APIs) alone
  detect [--detection ID]... [--json] [--now ISO-8601]
                            run the SQL detections (queries/detections) over the local lake; --now pins the time;
                            new alerts go to alerts.jsonl, repeats inside a detection's dedup window are suppressed
  report [--out FILE]       one self-contained HTML page over the lake: alert timeline and table, external exposure,
                            external domains, client versions, collaboration graph (default FILE: DIR/report.html)
  tables                    rows per table: raw copies and de-duplicated records
  config                    validate the config and print it with every default filled in

options on every command:
  --config FILE   config file (default ./zoomlake.config.json when present, else built-in defaults)
  --dir DIR       local data folder holding lake/, state/ and alerts.jsonl (default .zoomlake)
`;

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let command = '';
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        dir: { type: 'string', default: '.zoomlake' },
        file: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        plan: { type: 'string', default: 'business' },
        source: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        detection: { type: 'string', multiple: true },
        now: { type: 'string' },
        users: { type: 'string', default: '200' },
        days: { type: 'string', default: '14' },
        seed: { type: 'string', default: '1' },
        benign: { type: 'boolean', default: false },
        out: { type: 'string' },
      },
    });
    const [first, ...args] = positionals;
    if (values.help || first === undefined || first === 'help') {
      io.out(USAGE);
      return first === undefined && !values.help ? EXIT_USAGE : 0;
    }
    command = first;
    const config = loadConfig(values.config);
    const rt = makeLocalRuntime(config, values.dir);
    switch (command) {
      case 'demo': return await runDemo(io, demoOptions(values));
      case 'load': return await load(rt, io, args);
      case 'hunt': return await hunt(rt, io, args, values.file, values.json);
      case 'tables': return await tables(rt, io);
      case 'detect': return await detect(rt, io, values.detection ?? [], values.now, values.json);
      case 'serve': return await serve(rt, io, values.host, values.port);
      case 'simulate': return await simulate(io, values.host, values.port, values.plan);
      case 'poll': return await poll(rt, io, values.source ?? [], values.from, values.to);
      case 'report': return await report(rt, io, values.out);
      case 'config':
        io.out(JSON.stringify(config, null, 2) + '\n');
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const { code, text } = errorText(command, error, io.env.ZOOMLAKE_DEBUG === '1');
    io.err(text);
    return code;
  }
}

async function loadFile(rt: LocalRuntime, io: CliIo, label: string, text: string): Promise<number> {
  const result = await loadWebhookBodies(splitBodies(text), rt.writer('cli-load'), rt.clock.now());
  io.out(`${label}: loaded ${result.accepted} webhook bodies into ${rt.paths.lakeDir}` +
    (result.rejected.length > 0 ? `, rejected ${result.rejected.length}:` : '') + '\n');
  for (const r of result.rejected) io.out(`  body ${r.item}: ${r.reason}\n`);
  return result.accepted;
}

async function load(rt: LocalRuntime, io: CliIo, files: readonly string[]): Promise<number> {
  if (files.length === 0) throw new UsageError('load needs at least one FILE');
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      io.err(`zoomlake: cannot read ${file}: ${(error as Error).message}\n`);
      return 1;
    }
    await loadFile(rt, io, file, text);
  }
  return 0;
}

async function counts(rt: LocalRuntime): Promise<{ table: string; raw_rows: number; records: number }[]> {
  const engine = await rt.openQueryEngine();
  try {
    const out = [];
    for (const def of TABLES) {
      const { rows } = await engine.query(
        `SELECT (SELECT count(*) FROM ${rawTableName(def)}) AS raw_rows, (SELECT count(*) FROM ${def.name}) AS records`,
      );
      out.push({ table: def.name, raw_rows: Number(rows[0]!.raw_rows), records: Number(rows[0]!.records) });
    }
    return out;
  } finally {
    engine.close();
  }
}

async function tables(rt: LocalRuntime, io: CliIo): Promise<number> {
  const rows = await counts(rt);
  io.out(formatTable(['table', 'raw_rows', 'records'], rows) + '\n');
  return 0;
}

async function hunt(rt: LocalRuntime, io: CliIo, args: readonly string[], file: string | undefined, json: boolean): Promise<number> {
  const sql = file !== undefined ? readFileSync(file, 'utf8') : args.join(' ');
  if (sql.trim() === '') throw new UsageError('hunt needs SQL or --file FILE');
  const engine = await rt.openQueryEngine();
  try {
    const result = await engine.query(sql);
    if (json) for (const row of result.rows) io.out(JSON.stringify(row) + '\n');
    else io.out(formatTable(result.columns, result.rows) + `\n(${result.rows.length} rows)\n`);
    return 0;
  } finally {
    engine.close();
  }
}

async function detect(rt: LocalRuntime, io: CliIo, ids: readonly string[], nowText: string | undefined, json: boolean): Promise<number> {
  const nowMs = nowText === undefined ? rt.clock.now() : Date.parse(nowText);
  if (nowText !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(nowText) || Number.isNaN(nowMs))) {
    throw new UsageError(`--now must be an ISO-8601 time such as 2026-11-20T12:00:00Z, got "${nowText}"`);
  }
  const all = rt.registry.scheduled();
  const unknown = ids.filter((id) => !all.some((d) => d.id === id));
  if (unknown.length > 0) throw new UsageError(`unknown detection ${unknown.join(', ')}; detections: ${all.map((d) => d.id).join(', ')}`);
  const chosen = ids.length > 0 ? all.filter((d) => ids.includes(d.id)) : all;
  const engine = await rt.openQueryEngine();
  let outcomes;
  try {
    outcomes = await runDetections(engine, chosen, nowMs);
  } finally {
    engine.close();
  }
  const alerts = outcomes.flatMap((o) => (o.ok ? o.alerts : []));
  const failed = outcomes.filter((o) => !o.ok);
  // Delivered like the scheduled runner's: a repeat inside its detection's dedup window is counted, not re-notified.
  let delivered;
  try {
    delivered = await rt.alertDelivery().deliver(alerts);
  } catch (error) {
    io.err(`zoomlake detect: alert delivery failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const outcomeOf = new Map(delivered.map((d) => [d.alertId, d]));
  const notified = delivered.filter((d) => d.outcome === 'notified').length;
  if (json) {
    for (const alert of alerts) io.out(JSON.stringify(alert) + '\n');
  } else {
    io.out(`zoomlake detect: ${chosen.length} detections over ${rt.paths.lakeDir} up to ${new Date(nowMs).toISOString()}: ${alerts.length} alerts, ` +
      `${notified} notified (${rt.paths.alertsFile}), ${delivered.length - notified} suppressed as repeats\n`);
    if (alerts.length > 0) {
      const rows = alerts.map((a) => ({
        severity: a.severity, detection: a.detection_id, first_seen: a.first_seen, last_seen: a.last_seen,
        entities: Object.entries(a.entities).map(([k, v]) => `${k}=${v}`).join(' '),
        delivery: outcomeOf.get(a.alert_id)?.outcome === 'notified' ? 'notified' : `suppressed (x${outcomeOf.get(a.alert_id)?.count ?? '?'})`,
      }));
      io.out(formatTable(['severity', 'detection', 'first_seen', 'last_seen', 'entities', 'delivery'], rows) + '\n');
    }
  }
  for (const f of failed) if (!f.ok) io.err(`zoomlake detect: detection ${f.detectionId} failed: ${f.error}\n`);
  return failed.length > 0 ? 1 : 0;
}

async function report(rt: LocalRuntime, io: CliIo, out: string | undefined): Promise<number> {
  const written = await writeReport(rt, out ?? `${rt.paths.dir}/report.html`);
  const { summary } = written.data;
  io.out(`zoomlake report: wrote ${written.out} (${summary.alerts} alerts, ${summary.meetings} meetings, ${summary.people} people)\n`);
  return 0;
}

const PLANS = ['free', 'pro', 'business', 'enterprise'] as const;

async function poll(rt: LocalRuntime, io: CliIo, names: readonly string[], from: string | undefined, to: string | undefined): Promise<number> {
  if ((from === undefined) !== (to === undefined)) throw new UsageError('--from and --to go together');
  for (const day of [from, to]) if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UsageError(`dates are YYYY-MM-DD, got "${day}"`);
  const enabled = Object.entries(rt.config.sources).filter(([, s]) => s.enabled).map(([name]) => name);
  const wanted = names.length > 0 ? names : enabled;
  for (const name of wanted) if (!(name in POLL_SOURCES)) throw new UsageError(`unknown source "${name}"; sources: ${Object.keys(POLL_SOURCES).join(', ')}`);
  const secrets = new EnvSecretProvider(io.env);
  const credentials = {
    accountId: await secrets.getSecret('ZOOM_ACCOUNT_ID'),
    clientId: await secrets.getSecret('ZOOM_CLIENT_ID'),
    clientSecret: await secrets.getSecret('ZOOM_CLIENT_SECRET'),
  };
  const api = new ZoomHttpClient({
    fetch: httpFetch, clock: rt.clock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: Math.random,
    credentials, plan: rt.config.planTier, apiBudgetShare: rt.config.apiBudgetShare, timeoutMs: 30_000,
    // The daily share is counted in the state file, so successive and concurrent polls share one budget.
    sharedBudget: new StateStoreBudget(rt.state),
    ...(io.env.ZOOM_OAUTH_URL ? { oauthUrl: io.env.ZOOM_OAUTH_URL } : {}),
    ...(io.env.ZOOM_API_BASE_URL ? { apiBaseUrl: io.env.ZOOM_API_BASE_URL } : {}),
  });
  const { internalDomains, sensitiveMeetingPatterns, watchedUsers } = rt.config;
  const settings = { risk: { internalDomains, sensitiveMeetingPatterns, watchedUsers }, chatIncludeContent: rt.config.sources.chat_messages.includeContent };
  const deps = { api, plan: rt.config.planTier, state: rt.state, clock: rt.clock, newWriter: () => rt.writer('poller'), owner: `cli-${process.pid}`, leaseSeconds: 3_600, settings };
  for (const name of wanted) {
    const source = POLL_SOURCES[name];
    if (!source) continue;
    const run = await pollSource(source, deps, from !== undefined && to !== undefined ? { from, to } : undefined);
    const b = run.budget;
    const budget = b && (run.skipped > 0 || b.backlog > 0 || Object.values(b.droppedByClass).some((n) => n > 0))
      ? `, ${run.skipped} skipped for budget (high ${b.skippedByClass.high}, elevated ${b.skippedByClass.elevated}, routine ${b.skippedByClass.routine}), ` +
        `${b.backlog} in backlog, ${b.droppedByClass.high + b.droppedByClass.elevated + b.droppedByClass.routine} dropped`
      : '';
    io.out(`${name}: ${run.status}, ${run.windows} windows, ${run.records} records, ${run.rejected} rejected${budget}` + (run.reason ? ` (${run.reason})` : '') + '\n');
    if (run.status === 'disabled') io.err(`zoomlake poll: warning: ${name} is not available on this account (plan or scopes); skipped this run\n`);
  }
  return 0;
}

async function simulate(io: CliIo, host: string, portText: string, plan: string): Promise<number> {
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be 0-65535, got "${portText}"`);
  const tier = PLANS.find((p) => p === plan);
  if (!tier) throw new UsageError(`--plan must be one of ${PLANS.join(', ')}, got "${plan}"`);
  const sim = await startZoomSimulator({ host, port, plan: tier });
  io.out(`zoomlake simulate: Zoom API simulator (${tier} plan) listening\n` +
    `  ZOOM_OAUTH_URL=${sim.oauthUrl}\n  ZOOM_API_BASE_URL=${sim.apiBaseUrl}\n` +
    '  ZOOM_ACCOUNT_ID=sim-account-id ZOOM_CLIENT_ID=sim-client-id ZOOM_CLIENT_SECRET=sim-client-secret\n' +
    `  faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats\n`);
  await io.untilStopped();
  await sim.close();
  return 0;
}

async function serve(rt: LocalRuntime, io: CliIo, host: string, portText: string): Promise<number> {
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be 0-65535, got "${portText}"`);
  const secret = await new EnvSecretProvider(io.env).getSecret('ZOOM_WEBHOOK_SECRET_TOKEN');
  const pipeline = rt.webhookPipeline();
  const recovered = await pipeline.recover();
  // The realtime checks run on each accepted event; alerts go to <dir>/alerts.jsonl and one console line each.
  const realtime = makeLocalRealtime(rt, (line) => io.out(line + '\n'));
  // meeting.ended starts the post-meeting correlation in-process (Zoom API from ZOOM_*; off, with one line, without them).
  const correlation = makeLocalCorrelation(rt, io.env, (line) => io.out(line + '\n'), { echo: (line) => io.out(line + '\n') });
  const server = await startWebhookServer({
    pipeline, bodies: rt.store, clock: rt.clock, secret, host, port, flushIntervalMs: 2_000, realtime, correlation,
    receiver: { ...rt.config.webhook, inlineBodyBytes: WEBHOOK_INLINE_BODY_BYTES },
    log: (line) => io.out(line + '\n'),
  });
  io.out(`zoomlake serve: listening on ${server.url} (lake: ${rt.paths.lakeDir}` +
    (recovered > 0 ? `, ${recovered} spooled events recovered` : '') + ')\n');
  await io.untilStopped();
  io.out('zoomlake serve: stopping, writing buffered events\n');
  await server.close();
  io.out('zoomlake serve: stopped, buffered events written\n');
  return 0;
}

/** The demo's flags, checked: sizes within what the scenario generator supports. */
function demoOptions(values: { dir: string; users: string; days: string; seed: string; benign: boolean; json: boolean }) {
  const int = (name: string, text: string, min: number, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer ${min}-${max}, got "${text}"`);
    return n;
  };
  return {
    dir: values.dir, users: int('users', values.users, MIN_USERS, MAX_USERS), days: int('days', values.days, MIN_DAYS, MAX_DAYS),
    seed: int('seed', values.seed, 0, 2 ** 31 - 1), benign: values.benign, json: values.json,
  };
}
