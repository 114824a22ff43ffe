import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readCursorOf } from '#core/poll/cursor.ts';
import { planLacks } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import type { ZoomPlan } from '#core/zoom/rate-limit.ts';
import { SEVERITIES } from '#core/alerts/alert.ts';
import type { StateItem } from '#core/ports.ts';
import { readStateItems } from '../adapters/file-state/journal.ts';
import { folderOwner, type FolderOwner } from '../pipeline/folder-owner.ts';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import { formatTable } from './format.ts';
import { printable } from '../terminal/escape.ts';
import { STATUS_PK } from './jobs.ts';

/** One poll source in `zoomlake status`. */
interface SourceStatus {
  readonly source: string;
  readonly enabled: boolean;
  /** Why the configured plan lacks the source (it is then off whatever `enabled` says); null when it has it. */
  readonly unavailable: string | null;
  readonly schedule: string;
  /** The last window end written in full, YYYY-MM-DD; null before the first. */
  readonly cursor: string | null;
  readonly lastRun: Readonly<Record<string, unknown>> | null;
}

/** What `zoomlake status` reports of a data folder. */
export interface FolderStatus {
  readonly dir: string;
  readonly owner: (FolderOwner & { readonly uptimeSeconds: number | null }) | null;
  readonly sources: readonly SourceStatus[];
  readonly lastDetection: Readonly<Record<string, unknown>> | null;
  /** Events received and spooled, not yet written to the lake. */
  readonly spooledEvents: number;
  /** Alerts published in the last 24 hours, by severity. */
  readonly alertsLastDay: Readonly<Record<string, number>>;
}

/** Why the configured plan lacks the source, or null when it has it (or the source is unknown to the pollers). */
const unavailableOn = (source: string, plan: ZoomPlan): string | null => {
  const polled = POLL_SOURCES[source];
  return (polled && planLacks(polled, plan)) ?? null;
};

/** Reads a folder's status without taking it: safe while a service owns the folder. */
export async function folderStatus(rt: LocalRuntime): Promise<FolderStatus> {
  const now = rt.clock.now();
  const owner = await folderOwner(rt.paths);
  const items = await readStateItems(rt.paths.stateFile, rt.clock);
  const item = (pk: string, sk: string): StateItem | undefined => items.find((i) => i.pk === pk && i.sk === sk);
  const sources = Object.entries(rt.config.sources).map(
    ([source, settings]): SourceStatus => ({
      source,
      enabled: settings.enabled,
      unavailable: unavailableOn(source, rt.config.planTier),
      schedule: settings.schedule,
      cursor: readCursorOf(source, item(`cursor#${source}`, 'cursor'))?.windowEnd ?? null,
      lastRun: item(STATUS_PK, `poll#${source}`)?.attrs ?? null,
    }),
  );
  return {
    dir: rt.paths.dir,
    owner:
      owner === undefined
        ? null
        : { ...owner, uptimeSeconds: owner.since === undefined ? null : Math.max(0, Math.round((now - owner.since) / 1000)) },
    sources,
    lastDetection: item(STATUS_PK, 'detect')?.attrs ?? null,
    spooledEvents: await countLines(join(rt.paths.dir, 'state', 'webhook-spool.jsonl'), () => true),
    alertsLastDay: await alertsSince(rt.paths.alertsFile, now - 86_400_000),
  };
}

/** Counts the file's non-empty lines that `keep` accepts; 0 when there is no file. */
async function countLines(file: string, keep: (line: string) => boolean): Promise<number> {
  if (!existsSync(file)) return 0;
  let n = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '' && keep(line)) n += 1;
  return n;
}

async function alertsSince(file: string, sinceMs: number): Promise<Record<string, number>> {
  const bySeverity: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  await countLines(file, (line) => {
    try {
      const event = JSON.parse(line) as { time?: unknown; detail?: { severity?: unknown } };
      const severity = event.detail?.severity;
      if (typeof event.time !== 'string' || Date.parse(event.time) < sinceMs || typeof severity !== 'string') return false;
      bySeverity[severity] = (bySeverity[severity] ?? 0) + 1;
      return true;
    } catch {
      return false; // a line being appended right now
    }
  });
  return bySeverity;
}

const when = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : 'never');

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
}

/** The status as text for a terminal. */
export function formatStatus(status: FolderStatus): string {
  const { owner } = status;
  const lines = [`folder: ${printable(status.dir)}`];
  lines.push(
    owner === null
      ? 'owner: none (no zoomlake serve or run is using this folder)'
      : `owner: zoomlake ${printable(owner.command)}, pid ${owner.pid}` +
          (owner.uptimeSeconds === null ? '' : `, up ${duration(owner.uptimeSeconds)} (since ${when(owner.since)})`),
  );
  lines.push(
    '',
    formatTable(
      ['source', 'enabled', 'schedule', 'cursor', 'last_run', 'outcome', 'records'],
      status.sources.map((s) => ({
        source: s.source,
        enabled: !s.enabled ? 'no' : s.unavailable === null ? 'yes' : 'no (plan)',
        schedule: s.schedule,
        cursor: s.cursor ?? 'none',
        last_run: when(s.lastRun?.endedAt),
        outcome: s.lastRun === null ? '' : `${String(s.lastRun.outcome)}${typeof s.lastRun.reason === 'string' ? `: ${s.lastRun.reason}` : ''}`,
        records: s.lastRun?.records ?? '',
      })),
      80,
    ),
    '',
  );
  const d = status.lastDetection;
  lines.push(
    d === null
      ? 'detections: never run in this folder'
      : `detections: last run ${when(d.endedAt)}, ${String(d.outcome)}: ${String(d.detections)} detections, ${String(d.alerts)} alerts, ` +
          `${String(d.notified)} notified` +
          (Array.isArray(d.failed) && d.failed.length > 0 ? `; failed: ${printable(d.failed.join(', '))}` : ''),
  );
  lines.push(`spool: ${status.spooledEvents} received events waiting to be written to the lake`);
  lines.push(
    `alerts in the last 24 hours: ${Object.entries(status.alertsLastDay)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
  );
  return lines.join('\n') + '\n';
}
