import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '#config/load.ts';
import { rawTableName } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import { makeLocalRuntime, type LocalRuntime } from '../pipeline/runtime.ts';
import { startZoomSimulator } from '../zoom-simulator/server.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import { writeReport } from '../report/write.ts';
import { formatTable } from './format.ts';
import { jsonLine, printable, terminalWriter } from '../terminal/escape.ts';
import { requireLake } from '../pipeline/lake-folder.ts';
import { CliFailure, EXIT_USAGE, UsageError, errorText } from './errors.ts';
import { compact } from './compact.ts';
import { runDemo } from './demo.ts';
import { MAX_DAYS, MAX_USERS, MIN_DAYS, MIN_USERS } from '../scenario/scenario.ts';
import { LOAD_MAX_FILE_BYTES, load } from './load.ts';
import { startReceiver } from './receiver.ts';
import { runService } from './run.ts';
import { parseDuration } from '../pipeline/schedule.ts';
import { claimFolder } from '../pipeline/folder-owner.ts';
import { detectOnce, pollLine, pollSources, zoomApiFromEnv } from './jobs.ts';
import { folderStatus, formatStatus } from './status.ts';
import { maskLogLine } from '#core/mask/credentials.ts';
import { ZOOM_PLANS } from '#core/zoom/rate-limit.ts';

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
  load FILE...              load trusted Zoom webhook bodies (samples, exports: no signature is checked) into the lake
                            as serve would store them, typed tables included; a file holds one JSON body, a JSON array
                            or NDJSON (at most ${LOAD_MAX_FILE_BYTES / 1024 / 1024} MiB); each body is stored byte for byte; bad bodies are
                            listed and the rest loaded; exit 1 if a file cannot be read or loads nothing (the other
                            files are still loaded)
  hunt "SQL" | --file F     run Athena-dialect SQL over the local lake's views  [--json]
  run [--port N] [--host H] [--poll-every D] [--detect-every D] [--json]
                            the whole pipeline as one long-running service, the way to run zoomlake on one machine:
                            the webhook receiver (as serve), every enabled poll source on its schedule, every detection
                            on its own, realtime checks, correlation and alerts; each schedule fires at start, then on
                            schedule (D such as 30s, 5m, 1h overrides all sources' or all detections' schedules);
                            one log line per step (JSON with --json); SIGTERM/SIGINT writes what is buffered, exit 0
  serve [--port N] [--host H]  receive Zoom webhooks on POST /zoom/webhook (secret: ZOOM_WEBHOOK_SECRET_TOKEN)
  poll [--source NAME]... [--from YYYY-MM-DD --to YYYY-MM-DD]
                            one polling pass over Zoom's report and dashboard APIs (or the simulator); each source runs
                            on its own (exit 1 if any failed); refused while a run or serve owns the folder
  simulate [--port N] [--host H] [--plan P]  the Zoom API simulator (OAuth + report/dashboard APIs) alone
  detect [--detection ID]... [--json] [--now ISO-8601]
                            run the SQL detections (queries/detections) over the local lake; --now pins the time;
                            new alerts go to alerts.jsonl, repeats inside a detection's dedup window are suppressed;
                            refused while a run or serve owns the folder (run runs the detections itself)
  compact [--from YYYY-MM-DD --to YYYY-MM-DD]
                            rewrite each closed day of every lake table as one de-duplicated file and delete the files
                            it replaces (default: yesterday and compaction.lookbackDays days before it; run does this
                            on compaction.schedule); one line per day compacted; exit 1 if any day failed (left as it
                            was); refused while a run or serve owns the folder
  report [--out FILE]       one self-contained HTML page over the lake: alert timeline and table, external exposure,
                            external domains, client versions, collaboration graph (default FILE: DIR/report.html)
  tables                    rows per table: raw copies and de-duplicated records
  status [--json]           the folder's owner (pid, uptime), per poll source its cursor and last run, the last
                            detection run, events waiting in the spool, alerts by severity in the last 24 hours
  config                    validate the config and print it with every default filled in

options on every command:
  --config FILE   config file (default ./zoomlake.config.json when present, else built-in defaults)
  --dir DIR       local data folder holding lake/, state/ and alerts.jsonl (default .zoomlake)
`;

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: readonly string[], given: CliIo): Promise<number> {
  const io: CliIo = { ...given, out: terminalWriter(given.out), err: terminalWriter(given.err) };
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
        'poll-every': { type: 'string' },
        'detect-every': { type: 'string' },
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
    // Commands that write state claim the folder once their arguments are checked (usage errors come first).
    let release: (() => Promise<void>) | undefined;
    const claim = async () => {
      release ??= await claimFolderFor(rt, command);
    };
    try {
      return await dispatch();
    } finally {
      await release?.();
    }
    async function dispatch(): Promise<number> {
      switch (command) {
        case 'demo':
          return await runDemo(io, demoOptions(values));
        case 'load':
          return await load(rt, io, args);
        case 'hunt':
          return await hunt(rt, io, args, values.file, values.json);
        case 'tables':
          return await tables(rt, io);
        case 'detect':
          return await detect(rt, io, claim, values.detection ?? [], values.now, values.json);
        case 'serve':
          return await serve(rt, io, claim, values.host, values.port);
        case 'run':
          return await runService(rt, io, claim, {
            host: values.host,
            port: parsePort(values.port),
            json: values.json,
            ...(values['poll-every'] === undefined ? {} : { pollEveryMs: durationFlag('poll-every', values['poll-every']) }),
            ...(values['detect-every'] === undefined ? {} : { detectEveryMs: durationFlag('detect-every', values['detect-every']) }),
          });
        case 'simulate':
          return await simulate(io, values.host, values.port, values.plan);
        case 'poll':
          return await poll(rt, io, claim, values.source ?? [], values.from, values.to);
        case 'compact':
          requireLake(rt.paths);
          return await compact(rt, io.out, io.err, claim, values.from, values.to);
        case 'report':
          return await report(rt, io, values.out);
        case 'status':
          return await status(rt, io, values.json);
        case 'config':
          io.out(JSON.stringify(config, null, 2) + '\n');
          return 0;
        default:
          throw new UsageError(`unknown command "${command}"`);
      }
    }
  } catch (error) {
    const { code, text } = errorText(command, error, io.env.ZOOMLAKE_DEBUG === '1');
    io.err(text);
    return code;
  }
}

/** What a command refused by the folder's owner should do instead. */
const WHILE_OWNED: Readonly<Record<string, string>> = {
  poll: 'it polls every source on its schedule (zoomlake status shows the last runs); stop it to poll by hand',
  detect: 'it runs the detections on their schedule (zoomlake status shows the last run); stop it to run them by hand',
  compact: 'stop it to compact by hand (run compacts the lake itself on compaction.schedule)',
};

/** Claims the folder for `command`, or fails with one line naming the process that owns it. */
async function claimFolderFor(rt: LocalRuntime, command: string): Promise<() => Promise<void>> {
  const claim = await claimFolder(rt.paths, command, rt.clock.now());
  if (claim.claimed) return claim.release;
  const { owner } = claim;
  const since = owner.since === undefined ? '' : ` since ${new Date(owner.since).toISOString()}`;
  const service = owner.command === 'run' || owner.command === 'serve';
  throw new CliFailure(
    `${rt.paths.dir} is in use by zoomlake ${owner.command} (pid ${owner.pid}${since}); ` +
      (service && WHILE_OWNED[command] !== undefined ? WHILE_OWNED[command] : 'wait for it to finish or stop it, or use another --dir'),
  );
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
  requireLake(rt.paths);
  const rows = await counts(rt);
  io.out(formatTable(['table', 'raw_rows', 'records'], rows) + '\n');
  return 0;
}

async function hunt(rt: LocalRuntime, io: CliIo, args: readonly string[], file: string | undefined, json: boolean): Promise<number> {
  const sql = file !== undefined ? readFileSync(file, 'utf8') : args.join(' ');
  if (sql.trim() === '') throw new UsageError('hunt needs SQL or --file FILE');
  requireLake(rt.paths);
  const engine = await rt.openQueryEngine();
  try {
    const result = await engine.query(sql);
    if (json) for (const row of result.rows) io.out(jsonLine(row) + '\n');
    else io.out(formatTable(result.columns, result.rows) + `\n(${result.rows.length} rows)\n`);
    return 0;
  } finally {
    engine.close();
  }
}

/** Claims the command's data folder for this process (DESIGN §10: one writer of a folder's state at a time). */
type Claim = () => Promise<void>;

async function detect(
  rt: LocalRuntime,
  io: CliIo,
  claim: Claim,
  ids: readonly string[],
  nowText: string | undefined,
  json: boolean,
): Promise<number> {
  const nowMs = nowText === undefined ? rt.clock.now() : Date.parse(nowText);
  if (nowText !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(nowText) || Number.isNaN(nowMs))) {
    throw new UsageError(`--now must be an ISO-8601 time such as 2026-11-20T12:00:00Z, got "${nowText}"`);
  }
  const all = rt.registry.scheduled();
  const unknown = ids.filter((id) => !all.some((d) => d.id === id));
  if (unknown.length > 0) throw new UsageError(`unknown detection ${unknown.join(', ')}; detections: ${all.map((d) => d.id).join(', ')}`);
  const chosen = ids.length > 0 ? all.filter((d) => ids.includes(d.id)) : all;
  requireLake(rt.paths); // before the claim, which creates the folder's state/
  await claim();
  const pass = await detectOnce(rt, chosen, nowMs);
  const { alerts, delivered } = pass;
  const failed = pass.summary.detections.filter((d) => !d.ok);
  const outcomeOf = new Map(delivered.map((d) => [d.alertId, d]));
  const notified = delivered.filter((d) => d.outcome === 'notified').length;
  if (json) {
    for (const alert of alerts) io.out(jsonLine(alert) + '\n');
  } else {
    io.out(
      `zoomlake detect: ${chosen.length} detections over ${printable(rt.paths.lakeDir)} up to ${new Date(nowMs).toISOString()}: ${alerts.length} alerts, ` +
        `${notified} notified (${printable(rt.paths.alertsFile)}), ${delivered.length - notified} suppressed as repeats\n`,
    );
    if (alerts.length > 0) {
      const rows = alerts.map((a) => ({
        severity: a.severity,
        detection: a.detection_id,
        first_seen: a.first_seen,
        last_seen: a.last_seen,
        entities: Object.entries(a.entities)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        delivery: outcomeOf.get(a.alert_id)?.outcome === 'notified' ? 'notified' : `suppressed (x${outcomeOf.get(a.alert_id)?.count ?? '?'})`,
      }));
      io.out(formatTable(['severity', 'detection', 'first_seen', 'last_seen', 'entities', 'delivery'], rows) + '\n');
    }
  }
  for (const f of failed) io.err(`zoomlake detect: detection ${f.detection} failed: ${printable(f.error ?? '')}\n`);
  return failed.length > 0 ? 1 : 0;
}

async function report(rt: LocalRuntime, io: CliIo, out: string | undefined): Promise<number> {
  const written = await writeReport(rt, out ?? `${rt.paths.dir}/report.html`);
  const { summary } = written.data;
  io.out(`zoomlake report: wrote ${printable(written.out)} (${summary.alerts} alerts, ${summary.meetings} meetings, ${summary.people} people)\n`);
  return 0;
}

async function poll(
  rt: LocalRuntime,
  io: CliIo,
  claim: Claim,
  names: readonly string[],
  from: string | undefined,
  to: string | undefined,
): Promise<number> {
  if ((from === undefined) !== (to === undefined)) throw new UsageError('--from and --to go together');
  for (const day of [from, to]) if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UsageError(`dates are YYYY-MM-DD, got "${day}"`);
  const enabled = Object.entries(rt.config.sources)
    .filter(([, s]) => s.enabled)
    .map(([name]) => name);
  const wanted = names.length > 0 ? names : enabled;
  for (const name of wanted)
    if (!(name in POLL_SOURCES)) throw new UsageError(`unknown source "${name}"; sources: ${Object.keys(POLL_SOURCES).join(', ')}`);
  await claim();
  const api = await zoomApiFromEnv(rt, io.env);
  // Each source runs on its own: one that fails prints its line and the others still run.
  const results = await pollSources(rt, {
    api,
    names: wanted,
    owner: `cli-${process.pid}`,
    ...(from !== undefined && to !== undefined ? { backfill: { from, to } } : {}),
    onResult: (result) => {
      if (!result.ok) {
        const rest = result.stopsPass && result.source !== wanted.at(-1) ? '; the other sources were not polled' : '';
        if (!result.notPolled) io.err(`zoomlake poll: ${result.source}: ${printable(result.error)}${rest}\n`);
        return;
      }
      io.out(printable(pollLine(result.run)) + '\n');
      if (result.run.status === 'disabled')
        io.err(`zoomlake poll: warning: ${result.source} is not available on this account (plan or scopes); skipped this run\n`);
      const warnings = result.run.warnings;
      for (const text of warnings?.first ?? []) io.err(`zoomlake poll: warning: ${result.source}: ${printable(text)}\n`);
      if (warnings && warnings.count > warnings.first.length)
        io.err(`zoomlake poll: warning: ${result.source}: ${warnings.count - warnings.first.length} more like these\n`);
    },
  });
  return results.every((r) => r.ok) ? 0 : 1;
}

async function status(rt: LocalRuntime, io: CliIo, json: boolean): Promise<number> {
  requireLake(rt.paths);
  const result = await folderStatus(rt);
  io.out(json ? jsonLine(result) + '\n' : formatStatus(result));
  return 0;
}

async function simulate(io: CliIo, host: string, portText: string, plan: string): Promise<number> {
  const port = parsePort(portText);
  const tier = ZOOM_PLANS.find((p) => p === plan);
  if (!tier) throw new UsageError(`--plan must be one of ${ZOOM_PLANS.join(', ')}, got "${plan}"`);
  const sim = await startZoomSimulator({ host, port, plan: tier });
  io.out(
    `zoomlake simulate: Zoom API simulator (${tier} plan) listening\n` +
      `  ZOOM_OAUTH_URL=${sim.oauthUrl}\n  ZOOM_API_BASE_URL=${sim.apiBaseUrl}\n` +
      '  ZOOM_ACCOUNT_ID=sim-account-id ZOOM_CLIENT_ID=sim-client-id ZOOM_CLIENT_SECRET=sim-client-secret\n' +
      `  faults: POST ${sim.url}/__sim/faults, stats: GET ${sim.url}/__sim/stats\n`,
  );
  await io.untilStopped();
  await sim.close();
  return 0;
}

/** A --port value, 0 (any free port) to 65535. */
function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`--port must be 0-65535, got "${text}"`);
  return port;
}

/** A --poll-every / --detect-every value such as 30s, 5m or 1h. */
function durationFlag(name: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

async function serve(rt: LocalRuntime, io: CliIo, claim: Claim, host: string, portText: string): Promise<number> {
  const port = parsePort(portText);
  await claim();
  const stopRequested = io.untilStopped(); // from here on a signal stops it cleanly, even during start-up
  const line = (text: string) => io.out(maskLogLine(text) + '\n');
  const { server, recovered } = await startReceiver(rt, { host, port, env: io.env, log: line, alert: line });
  io.out(
    `zoomlake serve: listening on ${server.url} (lake: ${printable(rt.paths.lakeDir)}` +
      (recovered > 0 ? `, ${recovered} spooled events recovered` : '') +
      ')\n',
  );
  await stopRequested;
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
    dir: values.dir,
    users: int('users', values.users, MIN_USERS, MAX_USERS),
    days: int('days', values.days, MIN_DAYS, MAX_DAYS),
    seed: int('seed', values.seed, 0, 2 ** 31 - 1),
    benign: values.benign,
    json: values.json,
  };
}
