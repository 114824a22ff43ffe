import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig } from '#config/load.ts';
import type { Clock } from '#core/ports.ts';
import { writeReport } from '../report/write.ts';
import { makeLocalRuntime } from '../pipeline/runtime.ts';
import { incidentOf, score, scoreLine, summarize, type Manifest, type ScoredAlert } from '../scenario/manifest.ts';
import { IDENTITY_FILE_SOURCE, identityFileText } from '../scenario/identity.ts';
import { generateScenario } from '../scenario/scenario.ts';
import { startZoomSimulator } from '../zoom-simulator/server.ts';
import { CliFailure } from './errors.ts';
import { formatTable } from './format.ts';
import { detectOnce } from './jobs.ts';
import { notifiedAlerts, pollSimulated, replayWebhooks } from './replay.ts';

/*
 * `zoomlake demo` (= `npm start`): a generated organisation through the whole local pipeline. The Zoom API simulator
 * serves the scenario's API data to the pollers and to the post-meeting correlation; the scenario's webhooks are
 * signed and posted to the local webhook server, which spools them to the lake and runs the realtime checks and
 * correlations; then every scheduled detection runs. The alerts are scored against the scenario's manifest, as a
 * table and a score line or (--json) one JSON summary per run.
 */

/** What the demo writes into its folder besides lake/, state/ and alerts.jsonl. */
export const DEMO_FILES = {
  manifest: 'demo-manifest.json',
  config: 'zoomlake.config.json',
  dataAccess: 'data-access.ndjson',
  identity: 'identity-signins.ndjson',
  report: 'report.html',
} as const;

/** How the demo runs. */
export interface DemoOptions {
  readonly dir: string;
  readonly users: number;
  readonly days: number;
  readonly seed: number;
  readonly benign: boolean;
  /** Print one JSON summary object (demoSummary) instead of the progress lines and the alert table. @default false */
  readonly json?: boolean;
  /** The scenario's end (epoch ms). @default the start of the current UTC hour */
  readonly end?: number;
}

/** Where the demo writes and what it may read (the CLI's io). */
export interface DemoIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The demo folder is not empty and not from an earlier demo: the demo does not overwrite other data. */
export class DemoFolderError extends CliFailure {
  override readonly name = 'DemoFolderError';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Prepares the folder: created when missing; an earlier demo's folder (it holds the manifest) is emptied of what
 * the demo writes; anything else that is not empty is refused.
 */
function prepareFolder(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!entries.includes(DEMO_FILES.manifest)) {
    throw new DemoFolderError(
      `${dir} is not empty and holds no ${DEMO_FILES.manifest}: the demo only writes into a new folder or an earlier demo's; pass --dir`,
    );
  }
  for (const name of ['lake', 'state', 'alerts.jsonl', ...Object.values(DEMO_FILES)]) rmSync(join(dir, name), { recursive: true, force: true });
}

/** A clock that starts at the scenario's end and runs at real speed: the pipeline runs "just after" the scenario. */
function scenarioClock(end: number): Clock {
  const started = Date.now();
  return { now: () => end + (Date.now() - started) };
}

function alertRows(alerts: readonly ScoredAlert[], manifest: Manifest): Record<string, string>[] {
  const byUuid = new Map(manifest.meetings.map((m) => [m.meeting_uuid, m.topic]));
  const byId = new Map(manifest.meetings.map((m) => [m.meeting_id, m.topic]));
  return alerts.map((a) => {
    const e = a.entities;
    const topic = (e.meeting_uuid ? byUuid.get(e.meeting_uuid) : undefined) ?? (e.meeting_id ? byId.get(e.meeting_id) : undefined);
    return {
      severity: a.severity,
      detection: a.detection_id.replace(/^zoom\./, ''),
      who: e.user_email ?? e.user_name ?? e.operator ?? e.host_email ?? '-',
      meeting: topic ?? e.meeting_id ?? '-',
      when: a.first_seen.replace('T', ' ').slice(0, 16),
      source: a.source,
      planted: incidentOf(a, manifest.incidents)?.id ?? '-',
    };
  });
}

/** Runs the demo; the exit code is 0 when the pipeline ran, whatever the score. */
export async function runDemo(io: DemoIo, options: DemoOptions): Promise<number> {
  const started = Date.now();
  const dir = resolve(options.dir);
  prepareFolder(dir);
  const end = options.end ?? Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const scenario = generateScenario({ seed: options.seed, users: options.users, days: options.days, end, benign: options.benign });
  const { manifest } = scenario;
  const dataAccessFile = join(dir, DEMO_FILES.dataAccess);
  writeFileSync(join(dir, DEMO_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(dataAccessFile, scenario.dataAccess.map((r) => JSON.stringify(r)).join('\n') + '\n');
  // The identity provider's sign-ins behind the organisation's Zoom use (single sign-on), the planted attack's aside.
  const identityFile = join(dir, DEMO_FILES.identity);
  writeFileSync(identityFile, identityFileText(scenario.identity));
  const configJson = {
    ...scenario.config,
    // Short waits: the demo's meetings ended long ago, and its report-never-ready meeting should give up in seconds.
    correlation: {
      waitSeconds: 0,
      notReadyRetries: 2,
      notReadyIntervalSeconds: 1,
      dataAccess: {
        table: 'data_access',
        userColumn: 'principal',
        timeColumn: 'event_time',
        resourceColumn: 'object_key',
        localFile: dataAccessFile,
      },
    },
    identity: { ...IDENTITY_FILE_SOURCE, localFile: identityFile },
  };
  writeFileSync(join(dir, DEMO_FILES.config), JSON.stringify(configJson, null, 2) + '\n');
  const clock = scenarioClock(end);
  const rt = makeLocalRuntime(parseConfig(configJson, 'demo config'), dir, clock);
  const c = manifest.counts;
  // With --json, stdout carries the one summary object only.
  const say = options.json ? () => undefined : io.out;
  const took: Record<string, number> = {};
  say(
    `zoomlake demo: seed ${manifest.seed}, ${manifest.users} users, ${manifest.days} days (${manifest.from} .. ${manifest.end})` +
      `${manifest.benign ? ', benign traffic only' : ''}\n` +
      `  scenario: ${c.meetings} meetings, ${c.participant_sessions} join sessions, ${c.activities} sign-ins/outs, ${c.operation_logs} admin log entries, ` +
      `${c.recordings} recordings; ${manifest.incidents.length} planted incidents; ${c.webhooks} webhooks from ${manifest.webhooks_from}\n`,
  );

  const sim = await startZoomSimulator({ org: scenario.org, plan: 'business', clock, host: '127.0.0.1', port: 0 });
  let phase = Date.now();
  try {
    const runs = await pollSimulated(rt, sim, { from: scenario.manifest.from, to: scenario.manifest.to }, clock, `demo-${process.pid}`);
    took.poll = Date.now() - phase;
    say(
      `  poll (Zoom API simulator at ${sim.url}): ${runs.map((r) => `${r.source} ${r.records}${r.status === 'ok' ? '' : ` (${r.status})`}`).join(', ')} in ${seconds(Date.now() - phase)}\n`,
    );
    const failedPolls = runs.filter((r) => r.status !== 'ok');
    for (const r of failedPolls) io.err(`zoomlake demo: poll of ${r.source} ended ${r.status}${r.reason ? `: ${r.reason}` : ''}\n`);

    phase = Date.now();
    const hooks = await replayWebhooks(rt, sim, scenario.webhooks, clock);
    took.webhooks = Date.now() - phase;
    const corr = hooks.correlations;
    say(
      `  webhooks: ${hooks.posted} signed and accepted${hooks.refused > 0 ? `, ${hooks.refused} refused` : ''}; realtime checks run; ` +
        `${corr.completed ?? 0} meetings correlated${corr.participants_unavailable ? `, ${corr.participants_unavailable} without a participant report` : ''}` +
        `${corr.failed ? `, ${corr.failed} correlations failed` : ''} in ${seconds(Date.now() - phase)}\n`,
    );
    if (hooks.refused > 0) io.err(`zoomlake demo: ${hooks.refused} webhooks were refused by the receiver\n`);

    phase = Date.now();
    const detections = rt.registry.scheduled();
    const nowMs = clock.now();
    const { summary: pass, alerts: raised, delivered } = await detectOnce(rt, detections, nowMs);
    const failedDetections = pass.detections.filter((d) => !d.ok);
    const notified = delivered.filter((d) => d.outcome === 'notified').length;
    took.detections = Date.now() - phase;
    say(
      `  detections: ${detections.length} scheduled detections up to ${new Date(nowMs).toISOString()}: ${raised.length} alerts, ` +
        `${notified} new, ${raised.length - notified} already raised by realtime or correlation, in ${seconds(Date.now() - phase)}\n`,
    );
    for (const d of failedDetections) io.err(`zoomlake demo: detection ${d.detection} failed: ${d.error ?? ''}\n`);

    const alerts = notifiedAlerts<ScoredAlert>(rt);
    say(`\nAlerts (${alerts.length}):\n`);
    say(
      alerts.length === 0
        ? '  none\n'
        : formatTable(['severity', 'detection', 'who', 'meeting', 'when', 'source', 'planted'], alertRows(alerts, manifest), 48) + '\n',
    );
    const s = score(manifest.incidents, alerts);
    for (const i of s.missed) say(`  missed: ${i.id} (${i.detection}): ${i.summary}\n`);
    say(`\n${scoreLine(manifest.incidents, s)}\n`);
    const summary = summarize(
      manifest,
      alerts,
      rt.registry.detections.map((d) => d.id),
    );
    const byPattern = new Map<string, number>();
    for (const a of summary.benign_alerts) byPattern.set(a.pattern, (byPattern.get(a.pattern) ?? 0) + 1);
    if (byPattern.size > 0) say(`  benign alerts by background pattern: ${[...byPattern].map(([p, n]) => `${p} ${n}`).join(', ')}\n`);

    phase = Date.now();
    const report = await writeReport(rt, join(dir, DEMO_FILES.report));
    took.report = Date.now() - phase;
    say(`report: ${report.out} (${Math.round(report.bytes / 1024)} KiB, ${seconds(Date.now() - phase)})\n`);
    say(
      `done in ${seconds(Date.now() - started)}. The lake, state and alerts are in ${dir}; try\n` +
        `  npx zoomlake hunt --dir ${options.dir} --config ${join(options.dir, DEMO_FILES.config)} "SELECT detection_id, count(*) AS alerts FROM alerts GROUP BY 1"\n`,
    );
    if (options.json) {
      const { seed, users, days, benign, from, to, end: until, webhooks_from: webhooksFrom, counts } = manifest;
      io.out(
        JSON.stringify({
          seed,
          users,
          days,
          benign,
          from,
          to,
          end: until,
          webhooks_from: webhooksFrom,
          dir,
          counts,
          pipeline: {
            polled: Object.fromEntries(runs.map((r) => [r.source, r.records])),
            poll_failures: failedPolls.map((r) => r.source),
            webhooks_posted: hooks.posted,
            webhooks_refused: hooks.refused,
            correlations: hooks.correlations,
            scheduled_alerts: raised.length,
            scheduled_alerts_new: notified,
            detection_failures: failedDetections.map((d) => d.detection),
          },
          ...summary,
          missed: s.missed.map((i) => ({ id: i.id, detection: i.detection, summary: i.summary })),
          background: manifest.background.map((p) => ({ id: p.id, summary: p.summary })),
          report: report.out,
          seconds: Object.fromEntries(Object.entries({ ...took, total: Date.now() - started }).map(([k, ms]) => [k, Math.round(ms / 100) / 10])),
        }) + '\n',
      );
    }
    return failedPolls.length > 0 || failedDetections.length > 0 ? 1 : 0;
  } finally {
    await sim.close();
  }
}
