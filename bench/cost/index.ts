/**
 * `npm run bench` part `cost` (BENCH_ONLY=cost): the modelled monthly AWS bill of a 10,000-user organisation and of
 * ten times it, built from figures measured in this run (bench/cost/measure-*.ts, scans.ts), what the CDK app deploys
 * (deployment.ts) and the unit prices (prices.ts). docs/cost.md explains the model. BENCH_COST_USERS sizes the
 * generated organisation the figures are measured on (default 2,000; the scenario generator's maximum is 5,000).
 */
import { parseConfig } from '#config/load.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { Row } from '#core/schema/types.ts';
import { generateScenario } from '#local/scenario/scenario.ts';
import { loadRegistry } from '../../lib/detections/load.ts';
import { MemoryObjectStore } from '../../test/support/memory-object-store.ts';
import { readDeployment, type Deployment } from './deployment.ts';
import { monthlyBill, type Bill, type Measured } from './model.ts';
import { measurePolls, type PollFigures } from './measure-polls.ts';
import { measureWebhooks, measureWriter } from './measure-webhooks.ts';
import { PRICES_READ, REGION } from './prices.ts';
import { measureCompaction } from './measure-compaction.ts';
import { measureScans } from './scans.ts';
import { GOAL_USD_PER_MONTH, VOLUMES, eventMix, type Volume } from './volume.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** Parquet bytes per row of `rows` written `perFile` to a file (at most as many as there are). */
async function bytesPerRow(table: string, rows: readonly Row[], perFile: number): Promise<number> {
  const n = Math.max(1, Math.min(rows.length, Math.round(perFile)));
  const store = new MemoryObjectStore();
  const writer = new LakeWriter({ store, clock: { now: () => 0 }, newId: () => 'x', writerId: 'cost' });
  for (const row of rows.slice(0, n)) writer.add(table, row);
  const files = await writer.flush();
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const written = files.reduce((sum, f) => sum + f.rows, 0);
  return written === 0 ? 0 : bytes / written;
}

/** Bytes per row of each poller table at the rows per file `volume` gives it. */
async function pollBytesAt(polls: PollFigures, volume: Volume): Promise<Record<string, number>> {
  const scale = {
    users: volume.users / polls.units.users,
    meetings: volume.meetingsPerDay / polls.units.meetings,
    participations: volume.participationsPerDay / polls.units.participations,
  };
  const unit: Record<string, keyof typeof scale> = {
    meetings: 'meetings',
    recordings: 'meetings',
    meeting_participants: 'participations',
    participant_details: 'participations',
  };
  const out: Record<string, number> = {};
  for (const day of Object.values(polls.sources)) {
    for (const [table, t] of Object.entries(day.tables)) {
      const perFile = (t.written * scale[unit[table] ?? 'users']) / Math.max(1, t.files);
      out[table] = await bytesPerRow(table, t.sample, perFile);
    }
  }
  return out;
}

function emitBill(emit: Emit, bill: Bill, headline: boolean, variant = ''): void {
  const extra = {
    volume: bill.volume.name,
    ...(variant ? { variant } : { correlation: bill.correlation }),
    region: REGION,
    prices_read: PRICES_READ,
    with_free_tiers: round(bill.totalWithFreeTierUsd),
  };
  if (!headline) {
    emit('cost_monthly_usd_variant', bill.totalUsd, 'USD/month', extra);
    return;
  }
  const sorted = [...bill.items].sort((a, b) => b.usd - a.usd);
  for (const i of sorted) {
    emit('cost_line_item', i.usd, 'USD/month', {
      volume: bill.volume.name,
      service: i.service,
      item: i.item,
      quantity: round(i.quantity, 1),
      unit: i.unit,
    });
  }
  const byService = new Map<string, number>();
  for (const i of bill.items) byService.set(i.service, (byService.get(i.service) ?? 0) + i.usd);
  emit('cost_monthly_usd', bill.totalUsd, 'USD/month', {
    ...extra,
    ...(bill.volume === VOLUMES[0] ? { target_max: GOAL_USD_PER_MONTH } : {}),
    by_service: Object.fromEntries([...byService].sort((a, b) => b[1] - a[1]).map(([s, v]) => [s, round(v)])),
    top_items: sorted.slice(0, 5).map((i) => `${i.service}: ${i.item} ${round(i.usd)}`),
  });
}

/** Runs the cost part of the bench. */
export async function costBench(emit: Emit): Promise<void> {
  let t = performance.now();
  const config = parseConfig({});
  const registry = loadRegistry(config.detections);
  const deployment: Deployment = readDeployment(config);
  // The same app without the compaction (its function, schedule, queue and alarms), for the variant without it.
  const noCompaction: Deployment = readDeployment(parseConfig({ compaction: { enabled: false } }));
  emit('cost_deployment_read_s', (performance.now() - t) / 1000, 's', {
    functions: Object.fromEntries(Object.entries(deployment.functions).map(([k, f]) => [k, `${f.memoryMb} MB ${f.architecture}`])),
    alarms: deployment.alarms,
    alarm_metrics: deployment.alarmMetrics,
    correlation_path: deployment.correlationPath,
    state_machine: deployment.stateMachineType,
  });

  t = performance.now();
  const users = Number(process.env.BENCH_COST_USERS ?? 2_000);
  const scenario = generateScenario({ seed: 1, users, days: 7, end: Date.UTC(2026, 10, 21), benign: true });
  const webhooks = await measureWebhooks(scenario);
  const polls = await measurePolls(scenario, deployment.pollIntervalMs);
  const scans = await measureScans(parseConfig({ ...scenario.config }), registry, registry.scheduled());
  emit('cost_measure_s', (performance.now() - t) / 1000, 's', { scenario_users: users, scenario_webhooks: scenario.webhooks.length });
  emit('cost_input_correlated_share', webhooks.correlation.shareDefault, 'share', {
    meetings_ended: webhooks.correlation.meetingsEnded,
    with_data_access: round(webhooks.correlation.shareWithDataAccess, 4),
    note: 'ended meetings a correlation detection needs (lambdas/core/correlate/need.ts), from the live state the realtime checks built',
  });
  emit('cost_input_sfn_transitions_per_correlated_meeting', deployment.correlationTransitions, 'transitions', { path: deployment.correlationPath });

  for (const volume of VOLUMES) {
    const mix = eventMix(Object.fromEntries(Object.entries(webhooks.types).map(([k, v]) => [k, v.perDay])), volume);
    const events = Object.values(mix).reduce((a, b) => a + b, 0);
    const q = deployment.functions.lakeWriter.queue!;
    const invocations = Math.min(events, (86_400 / Math.max(1, q.batchingWindowSeconds)) * (q.maxConcurrency ?? 1));
    const batch = Math.max(1, Math.min(q.batchSize, Math.round(events / invocations)));
    // The writer's files of this batch size are kept and compacted: the compaction's requests and CPU per row.
    const lake = new MemoryObjectStore();
    const writer = await measureWriter(scenario, mix, batch, batch > 200 ? 15 : 40, lake);
    const compaction = await measureCompaction(lake);
    const measured: Measured = { webhooks, writer, polls, pollBytesPerRow: await pollBytesAt(polls, volume), scans, compaction };
    const headline = monthlyBill(volume, deployment, measured, { correlation: 'needed' });
    // What the writer's batches are with one writer at a time (its maxConcurrency prop): twice the events, half the files.
    const oneWriter: Deployment = {
      ...deployment,
      functions: { ...deployment.functions, lakeWriter: { ...deployment.functions.lakeWriter, queue: { ...q, maxConcurrency: 1 } } },
    };
    const oneWriterMeasured: Measured = {
      ...measured,
      writer: await measureWriter(scenario, mix, Math.min(q.batchSize, 2 * batch), batch > 100 ? 10 : 30),
    };
    const httpApi: Deployment = { ...deployment, api: 'HTTP', wafWebAcls: 0, wafRules: 0 };
    const variants: [string, Bill][] = [
      [
        'a data-access source configured (correlation.dataAccess)',
        monthlyBill(volume, deployment, measured, { correlation: 'needed_with_data_access' }),
      ],
      [
        'before #17: every meeting correlated, the download query each time',
        monthlyBill(volume, deployment, measured, { correlation: 'all_before_change' }),
      ],
      [
        'what-if: one lake writer at a time (WebhookLakeWriter maxConcurrency 1)',
        monthlyBill(volume, oneWriter, oneWriterMeasured, { correlation: 'needed' }),
      ],
      ['without the daily compaction (compaction.enabled false)', monthlyBill(volume, noCompaction, measured, { correlation: 'needed' })],
      ['what-if, not built: HTTP API without WAF', monthlyBill(volume, httpApi, measured, { correlation: 'needed' })],
      [
        'what-if: one lake writer and an HTTP API without WAF, with the compaction',
        monthlyBill(volume, { ...oneWriter, api: 'HTTP', wafWebAcls: 0, wafRules: 0 }, oneWriterMeasured, { correlation: 'needed' }),
      ],
    ];
    const f = headline.figures;
    emit('cost_input_writer_batch', writer.cpuMs, 'ms/invocation', {
      volume: volume.name,
      events_per_invocation: batch,
      puts: round(writer.puts),
      bytes_per_row: Object.fromEntries(Object.entries(writer.tables).map(([k, v]) => [k, round(v.bytesPerRow, 1)])),
    });
    // Zoom's shared daily Heavy + Resource-intensive budget: what each poll source asks a day, and all of it (the
    // correlation's own calls included) against zoomlake's share of the configured plan's limit.
    const perSource = Object.entries(f)
      .filter(([k]) => k.startsWith('zoom_heavy_calls_per_day.'))
      .map(([k, v]) => [k.slice('zoom_heavy_calls_per_day.'.length), v] as const);
    for (const [source, calls] of perSource) {
      emit('poll_zoom_heavy_calls_per_day', calls, 'calls/day', { volume: volume.name, source });
    }
    const pollers = perSource.reduce((n, [, v]) => n + v, 0);
    const total = f.zoom_heavy_calls_demanded_per_day ?? 0;
    emit('cost_input_zoom_heavy_calls_per_day', total, 'calls/day', {
      volume: volume.name,
      target_max: f.zoom_heavy_calls_allowed_per_day,
      pollers: Math.round(pollers),
      correlation: Math.round(total - pollers),
      pro_share: deployment.zoomHeavyAllowedOnPro,
      served_share: round(f.zoom_heavy_share_served ?? 1, 3),
      note: "target_max: zoomlake's share (apiBudgetShare) of the plan's daily Heavy + Resource-intensive limit. Each meeting instance is fetched once per per-meeting source; past the share, runs stop keeping what they fetched and resume after 00:00 UTC (billed: what runs)",
    });
    for (const d of headline.detections) {
      emit('cost_input_athena_per_detection_run', d.mbPerRun, 'MB/run', {
        volume: volume.name,
        detection: d.id,
        runs_per_month: round(d.runs, 1),
        partitions_per_run: d.partitionsPerRun,
        s3_gets_per_run: Math.round(d.getsPerRun),
        usd_per_month: round(d.usd),
        method:
          "partitions read per table scan: DuckDB profile of the same SQL on a 100-day lake; bytes and files per partition: this volume's Parquet as written; small files read whole (Trino)",
      });
    }
    emit('cost_input_compaction', f.compaction_gb_seconds_per_day ?? 0, 'GB-s/day', {
      volume: volume.name,
      table_days_per_day: f.compaction_table_days_per_day,
      s3_gets_per_day: Math.round(f.compaction_gets_per_day ?? 0),
      s3_deletes_per_day: Math.round(f.compaction_deletes_per_day ?? 0),
      s3_puts_per_day: Math.round(f.compaction_puts_per_day ?? 0),
      s3_lists_per_day: Math.round(f.compaction_lists_per_day ?? 0),
      seconds_per_day: round(f.compaction_seconds_per_day ?? 0, 1),
      measured: {
        table_days: compaction.tableDays,
        files_read: compaction.filesRead,
        rows_read: compaction.rowsRead,
        rows_written: compaction.rowsWritten,
        cpu_ms_per_row: round(compaction.cpuMsPerRowRead, 5),
      },
      method:
        "the core compaction run on the writer's measured files of this batch size (counting store); CPU per row read times each table's rows a day, one GET and one DELETE per file, S3 requests 30 ms each, one after another",
    });
    emit('cost_input_lake', f.lake_gb ?? 0, 'GB', {
      volume: volume.name,
      bytes_per_day: Math.round(f.lake_bytes_per_day ?? 0),
      files_per_day: Math.round(f.lake_files_per_day ?? 0),
      athena_gets_per_month: Math.round(f.athena_gets_per_month ?? 0),
      athena_queries_per_month: Math.round(f.athena_queries_per_month ?? 0),
    });
    emitBill(emit, headline, true);
    for (const [label, v] of variants) emitBill(emit, v, false, label);
  }
}
