import type { ScheduledDetection } from '#core/detect/detection.ts';
import { SecretError } from '#core/errors.ts';
import { planLacks } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import type { ZoomApi } from '#core/ports.ts';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import { nextFire, type Schedule } from '../pipeline/schedule.ts';
import { UsageError } from './errors.ts';
import { jsonLine, printable } from '../terminal/escape.ts';
import { detectOnce, pollLine, pollSources, zoomApiFromEnv, type PollResult } from './jobs.ts';
import { startReceiver } from './receiver.ts';
import { compactDays, compactLine, compactPass, compactSummary } from './compact.ts';
import type { CliIo } from './main.ts';
import { maskLogLine } from '#core/mask/credentials.ts';

/** What `zoomlake run` was asked for. */
export interface RunOptions {
  readonly host: string;
  readonly port: number;
  /** Overrides every source's configured schedule. */
  readonly pollEveryMs?: number;
  /** Overrides every detection's schedule. */
  readonly detectEveryMs?: number;
  /** One JSON object per log line instead of text. */
  readonly json: boolean;
}

/** A scheduled piece of work: one poll source, one detection, or the lake compaction. */
interface Job {
  readonly kind: 'poll' | 'detect' | 'compact';
  readonly name: string;
  readonly schedule: Schedule;
  readonly detection?: ScheduledDetection;
  next: number;
}

/** One log line: text for a terminal, or a JSON object with `time` and `event`. */
type Log = (event: string, text: string, fields?: Readonly<Record<string, unknown>>, stream?: 'out' | 'err') => void;

/**
 * `zoomlake run`: the whole local pipeline in one process, as the AWS deployment is. The webhook receiver (same as
 * serve), every enabled poll source on its schedule and every scheduled detection on its own, each fired once at start
 * and then on schedule (`--poll-every` / `--detect-every` override), realtime checks, correlation and alert delivery.
 * Passes run one at a time, polls before detections. On SIGTERM or SIGINT the running pass finishes (a poll commits
 * each window it wrote, so nothing is lost either way), no new one starts, the receiver stops accepting and every
 * buffered event is written to the lake; then exit 0.
 */
export async function runService(rt: LocalRuntime, io: CliIo, claim: () => Promise<void>, options: RunOptions): Promise<number> {
  const log = makeLog(io, options.json, rt);
  const startedAt = rt.clock.now();
  const jobs = plan(rt, options, startedAt);
  await claim();
  // Signals are taken from here on: one during start-up stops the service as soon as it is up, cleanly.
  const stopRequested = io.untilStopped();
  const polled = jobs.filter((j) => j.kind === 'poll');
  const detectionJobs = jobs.filter((j) => j.kind === 'detect').length;
  const compacting = jobs.some((j) => j.kind === 'compact');
  // The poll sources need the API; checked before anything listens, so a missing credential is one line and exit 2.
  const api =
    polled.length > 0
      ? await zoomApiFromEnv(rt, io.env).catch((error: unknown) => {
          if (!(error instanceof SecretError)) throw error;
          throw new SecretError(
            `${error.message} (the poll sources need it; to run without them, set sources.<name>.enabled to false in the config)`,
            false,
          );
        })
      : undefined;
  const { server, recovered } = await startReceiver(rt, {
    host: options.host,
    port: options.port,
    env: io.env,
    log: (line) => logReceiverLine(log, line),
    alert: (line) => log('alert', line, { line }),
  });
  log(
    'listening',
    `zoomlake run: listening on ${server.url} (lake: ${rt.paths.lakeDir}${recovered > 0 ? `, ${recovered} spooled events recovered` : ''}); ` +
      `${polled.length} poll sources, ${detectionJobs} detections${compacting ? ', the lake compaction' : ''} on schedule`,
    { url: server.url, lake: rt.paths.lakeDir, recovered, sources: polled.map((j) => j.name), detections: detectionJobs, compaction: compacting },
  );

  if (rt.config.internalDomains.length === 0) {
    log(
      'warning',
      'zoomlake run: warning: internalDomains is empty in the config, so every participant counts as external and ' +
        "the detections that judge outsiders will name employees; set it to the organisation's email domains",
      { reason: 'internal_domains_empty' },
      'err',
    );
  }

  let stopping = false;
  let wake: () => void = () => undefined;
  const stopped = stopRequested.then(() => {
    stopping = true;
    log('stopping', 'zoomlake run: stopping, writing buffered events once the running pass has finished');
    wake();
  });

  try {
    await schedule();
  } finally {
    // Also when a pass threw something unexpected: the receiver still writes what it buffered.
    stopping = true;
    await server.close();
  }
  await stopped;
  log('stopped', 'zoomlake run: stopped, buffered events written');
  return 0;

  async function schedule(): Promise<void> {
    while (!stopping) {
      const now = rt.clock.now();
      const due = jobs.filter((j) => j.next <= now);
      if (due.length === 0) {
        const until = Math.min(...jobs.map((j) => j.next));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(until - now, 2 ** 31 - 1));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      const passStart = now;
      const polls = due.filter((j) => j.kind === 'poll');
      if (polls.length > 0 && api) {
        try {
          await pollPass(
            rt,
            api,
            polls.map((j) => j.name),
            log,
            () => stopping,
          );
        } catch (error) {
          // Each source's own failure is reported by pollSources; this is the state store failing under them.
          const reason = error instanceof Error ? error.message : String(error);
          log('poll', `zoomlake run: poll pass failed: ${reason}; it runs again on schedule`, { status: 'failed', reason }, 'err');
        }
      }
      const detections = due.flatMap((j) => (j.detection ? [j.detection] : []));
      if (detections.length > 0 && !stopping) await detectPass(rt, detections, log);
      if (due.some((j) => j.kind === 'compact') && !stopping) await lakeCompactPass(rt, log);
      const after = rt.clock.now();
      for (const job of due) {
        if (job.kind !== 'poll' && stopping) continue;
        // A pass that overran its interval starts again at the next time after now, not in a burst to catch up.
        const next = nextFire(job.schedule, passStart);
        job.next = next > after ? next : nextFire(job.schedule, after);
      }
    }
  }
}

/** Every enabled source the plan has and every scheduled detection, each due at start. Bad schedules fail here, before anything runs. */
function plan(rt: LocalRuntime, options: RunOptions, startedAt: number): Job[] {
  const jobs: Job[] = [];
  for (const [name, source] of Object.entries(rt.config.sources)) {
    const polled = POLL_SOURCES[name];
    // A source the plan lacks is off, as in AWS; `zoomlake status` says why.
    if (!source.enabled || (polled !== undefined && planLacks(polled, rt.config.planTier) !== undefined)) continue;
    const schedule = options.pollEveryMs !== undefined ? { everyMs: options.pollEveryMs } : { expression: source.schedule };
    jobs.push({ kind: 'poll', name, schedule, next: startedAt });
  }
  for (const detection of rt.registry.scheduled()) {
    const schedule = options.detectEveryMs !== undefined ? { everyMs: options.detectEveryMs } : { expression: detection.schedule ?? 'rate(1 hour)' };
    jobs.push({ kind: 'detect', name: detection.id, schedule, detection, next: startedAt });
  }
  if (rt.config.compaction.enabled)
    jobs.push({ kind: 'compact', name: 'compaction', schedule: { expression: rt.config.compaction.schedule }, next: startedAt });
  const where = (job: Job) =>
    job.kind === 'poll' ? `sources.${job.name}.schedule` : job.kind === 'compact' ? 'compaction.schedule' : `detection ${job.name}`;
  for (const job of jobs) {
    try {
      nextFire(job.schedule, startedAt);
    } catch (error) {
      throw new UsageError(`${where(job)}: ${(error as Error).message}`);
    }
  }
  return jobs;
}

async function pollPass(rt: LocalRuntime, api: ZoomApi, names: readonly string[], log: Log, stopping: () => boolean): Promise<void> {
  await pollSources(rt, {
    api,
    names,
    owner: `run-${process.pid}`,
    shouldStop: stopping,
    onResult: (result: PollResult) => {
      if (result.ok) {
        log('poll', `zoomlake run: poll ${pollLine(result.run)}`, { ...result.run });
      } else if (!result.notPolled) {
        log(
          'poll',
          `zoomlake run: poll ${result.source} failed: ${result.error}${result.stopsPass ? '; the other due sources were not polled' : ''}`,
          { source: result.source, status: 'failed', reason: result.error },
          'err',
        );
      }
    },
  });
}

async function detectPass(rt: LocalRuntime, detections: readonly ScheduledDetection[], log: Log): Promise<void> {
  const nowMs = rt.clock.now();
  let pass;
  try {
    pass = await detectOnce(rt, detections, nowMs, rt.alertDelivery({ echo: (line) => log('alert', line, { line }) }));
  } catch (error) {
    // The lake or the alert file failed; the next pass tries again.
    const reason = error instanceof Error ? error.message : String(error);
    log('detect', `zoomlake run: detection pass failed: ${reason}; it runs again on schedule`, { status: 'failed', reason }, 'err');
    return;
  }
  const notified = pass.delivered.filter((d) => d.outcome === 'notified').length;
  const failed = pass.summary.detections.flatMap((d) => (d.ok ? [] : [{ detection: d.detection, error: d.error ?? '' }]));
  log(
    'detect',
    `zoomlake run: ${detections.length} detections up to ${new Date(nowMs).toISOString()}: ${pass.alerts.length} alerts, ` +
      `${notified} notified, ${pass.alerts.length - notified} suppressed as repeats`,
    { detections: detections.map((d) => d.id), now: new Date(nowMs).toISOString(), alerts: pass.alerts.length, notified, failed: failed.length },
  );
  for (const f of failed)
    log('detect', `zoomlake run: detection ${f.detection} failed: ${f.error}`, { detection: f.detection, status: 'failed', reason: f.error }, 'err');
}

/** One compaction pass over the closed days (as the AWS schedule's), a line per table-day compacted; failures wait for the next pass. */
async function lakeCompactPass(rt: LocalRuntime, log: Log): Promise<void> {
  const days = compactDays(rt, undefined, undefined);
  try {
    const run = await compactPass(rt, days, (d) => {
      if (d.outcome === 'compacted') log('compact', `zoomlake run: compacted ${compactLine(d)}`, { ...d, written: d.written.length });
    });
    log('compact', `zoomlake run: compaction of ${compactSummary(run, days)}`, { days, failed: run.failures.length });
    for (const f of run.failures)
      log('compact', `zoomlake run: ${f.table} dt=${f.dt} not compacted: ${f.error}; the next pass tries again`, { ...f, status: 'failed' }, 'err');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log('compact', `zoomlake run: compaction pass failed: ${reason}; it runs again on schedule`, { status: 'failed', reason }, 'err');
  }
}

/** The receiver's lines are JSON objects (requests, flushes, correlation steps) or set-up notes in text. */
function logReceiverLine(log: Log, line: string): void {
  let fields: Record<string, unknown> | undefined;
  if (line.startsWith('{')) {
    try {
      fields = JSON.parse(line) as Record<string, unknown>;
    } catch {
      fields = undefined;
    }
  }
  const event =
    fields === undefined ? 'note' : 'correlation' in fields ? 'correlation' : 'flush' in fields || 'flushError' in fields ? 'flush' : 'webhook';
  log(event, line, fields ?? { message: line.replace(/^zoomlake serve: /, '') });
}

function makeLog(io: CliIo, json: boolean, rt: LocalRuntime): Log {
  return (event, text, fields = {}, stream = 'out') => {
    const line = maskLogLine(json ? jsonLine({ time: new Date(rt.clock.now()).toISOString(), event, ...fields }) : printable(text));
    (stream === 'out' ? io.out : io.err)(line + '\n');
  };
}
