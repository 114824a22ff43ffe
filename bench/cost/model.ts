/**
 * The monthly bill: measured use (bench/cost/measure-*.ts, scans.ts) times what the app deploys (deployment.ts) times
 * unit prices (prices.ts), for one volume. Pure arithmetic, so docs/cost.md can explain every line from its inputs.
 */
import { METRICS } from '#core/metrics.ts';
import { ASSUMPTIONS as A } from './assumptions.ts';
import { MONTH_DAYS, type DeployedFunction, type Deployment } from './deployment.ts';
import type { HeavyRequests, PollFigures } from './measure-polls.ts';
import type { WebhookFigures, WriterBatchFigures } from './measure-webhooks.ts';
import type { CompactionFigures } from './measure-compaction.ts';
import { PRICES, costOf, type PriceName } from './prices.ts';
import type { QueryScans, ScanFigures } from './scans.ts';
import { eventMix, type Volume } from './volume.ts';

/** Which meetings the correlation runs for in this bill. */
export type CorrelationMode = 'needed' | 'needed_with_data_access' | 'all_before_change';

/** Everything measured in the bench run. */
export interface Measured {
  readonly webhooks: WebhookFigures;
  /** The writer's batch at this volume's events per invocation. */
  readonly writer: WriterBatchFigures;
  readonly polls: PollFigures;
  /** Parquet bytes per row of each poller table at this volume's rows per file. */
  readonly pollBytesPerRow: Readonly<Record<string, number>>;
  readonly scans: ScanFigures;
  /** The daily compaction run on the writer's measured files. */
  readonly compaction: CompactionFigures;
}

/** One line of the bill. */
export interface LineItem {
  readonly service: string;
  readonly item: string;
  readonly usd: number;
  /** The same with the always-free monthly allowances taken off (a new, otherwise empty account). */
  readonly usdWithFreeTier: number;
  readonly quantity: number;
  readonly unit: string;
}

/** The modelled bill and the figures behind it. */
export interface Bill {
  readonly volume: Volume;
  readonly correlation: CorrelationMode;
  /** Whether the deployment compacts the lake daily (read from the app). */
  readonly compaction: boolean;
  readonly detections: readonly DetectionUse[];
  readonly items: readonly LineItem[];
  readonly totalUsd: number;
  readonly totalWithFreeTierUsd: number;
  /** Figures worth printing beside the bill. */
  readonly figures: Readonly<Record<string, number>>;
}

/**
 * A source's Heavy and Resource-intensive calls a day at `k` times the measured organisation: per-meeting requests
 * `k` times as many, each listing request as many pages as `k` times its items fill (at least one).
 */
export function heavyCallsAt(heavy: HeavyRequests, k: number): number {
  const listing = heavy.listingItems.reduce((n, items) => n + Math.max(1, Math.ceil((items * k) / A.zoomPageSize)), 0);
  return heavy.perInstancePages * k + listing;
}

const SOURCE_SCALE: Readonly<Record<string, 'users' | 'meetings' | 'participations'>> = {
  activities: 'users',
  operation_logs: 'users',
  users: 'users',
  meetings: 'meetings',
  participant_details: 'meetings',
  recordings: 'meetings',
  meeting_activities: 'meetings',
};
const TABLE_SCALE: Readonly<Record<string, 'users' | 'meetings' | 'participations'>> = {
  activities: 'users',
  operation_logs: 'users',
  users: 'users',
  meetings: 'meetings',
  meeting_participants: 'participations',
  participant_details: 'participations',
  recordings: 'meetings',
};

const MB = 1024 * 1024;
const gbSeconds = (fn: DeployedFunction, ms: number) => (fn.memoryMb / 1024) * (ms / 1000);

/** What a bill assumes beyond the deployment. */
export interface BillOptions {
  readonly correlation: CorrelationMode;
}

/** One scheduled detection's Athena use in the month. */
export interface DetectionUse {
  readonly id: string;
  readonly runs: number;
  /** Data read per run before Athena's 10 MB minimum, MB. */
  readonly mbPerRun: number;
  readonly getsPerRun: number;
  /** Partitions (table days) read per run. */
  readonly partitionsPerRun: number;
  /** Athena data and S3 GET requests of the month, USD. */
  readonly usd: number;
}

/** The bill of one month at `volume`. */
export function monthlyBill(volume: Volume, deployment: Deployment, m: Measured, options: BillOptions): Bill {
  const { correlation } = options;
  const items: LineItem[] = [];
  const add = (service: string, item: string, price: PriceName, quantity: number) =>
    items.push({ service, item, usd: costOf(price, quantity), usdWithFreeTier: costOf(price, quantity, true), quantity, unit: priceUnit(price) });
  const D = MONTH_DAYS;
  const fns = deployment.functions;
  const logBytesPerDay = new Map<string, number>();
  const lambda = (role: keyof Deployment['functions'], label: string, invocationsPerDay: number, msPerInvocation: number) => {
    const fn = fns[role];
    add('Lambda', `${label}: requests`, 'lambdaRequests', invocationsPerDay * D);
    add(
      'Lambda',
      `${label}: duration (${fn.memoryMb} MB ${fn.architecture})`,
      fn.architecture === 'arm64' ? 'lambdaArmGbSecond' : 'lambdaX86GbSecond',
      invocationsPerDay * D * gbSeconds(fn, msPerInvocation),
    );
    logBytesPerDay.set(label, (logBytesPerDay.get(label) ?? 0) + invocationsPerDay * (A.lambdaPlatformLogBytes + A.appLogLineBytes));
  };
  const figures: Record<string, number> = {};

  // Webhook events by type at this volume, and what they bring.
  const types = m.webhooks.types;
  const mix = eventMix(Object.fromEntries(Object.entries(types).map(([t, f]) => [t, f.perDay])), volume);
  const perType = <K extends keyof (typeof types)[string]>(key: K) =>
    Object.entries(mix).reduce((n, [t, count]) => n + count * Number(types[t]?.[key] ?? 0), 0);
  const events = Object.values(mix).reduce((a, b) => a + b, 0);
  const realtimeEvents = Object.entries(mix).reduce((n, [t, c]) => n + (types[t]?.realtime ? c : 0), 0);
  figures.webhook_events_per_day = events;
  figures.realtime_events_per_day = realtimeEvents;

  // Front door: API Gateway (REST, for WAF), WAF, the webhook function, EventBridge.
  add('API Gateway', `${deployment.api} API requests`, deployment.api === 'REST' ? 'restApiRequests' : 'httpApiRequests', events * D);
  add('WAF', 'web ACLs', 'wafWebAcl', deployment.wafWebAcls);
  add('WAF', 'rules', 'wafRule', deployment.wafRules);
  add('WAF', 'requests inspected', 'wafRequests', events * D);
  const receiveMs = perType('receiveMs') / events;
  lambda('webhook', 'webhook function', events, receiveMs + A.awsApiCallMs);
  logBytesPerDay.set('webhook function', (logBytesPerDay.get('webhook function') ?? 0) + events * A.emfLineBytes);
  logBytesPerDay.set('webhook API access logs', events * A.apiAccessLogBytes);
  add('EventBridge', 'webhook events published', 'eventBridgeCustomEvents', events * D);
  figures.webhook_ms_per_event = receiveMs;

  // Lake writer: batches of the window, as many as the concurrency lets run per window.
  const writerQueue = fns.lakeWriter.queue!;
  const invocations = Math.min(events, (86_400 / Math.max(1, writerQueue.batchingWindowSeconds)) * (writerQueue.maxConcurrency ?? 1));
  const w = m.writer;
  lambda('lakeWriter', 'lake writer', invocations, w.cpuMs + w.puts * A.s3PutMs);
  figures.writer_invocations_per_day = invocations;
  figures.writer_events_per_invocation = events / invocations;
  const sqsFor = (messages: number) => messages * (1 + 2 / 10) + A.sqsIdleReceivesPerDay;
  add('SQS', 'lake writer queue (send, receive, delete; idle polls)', 'sqsRequests', sqsFor(events) * D);

  // Lake tables: rows, files and bytes a day.
  // Per table and day: rows written, files, bytes, and the bytes of its distinct rows (a de-duplicated day).
  const tables = new Map<string, { rows: number; files: number; bytes: number; distinctRows: number; distinctBytes: number }>();
  const table = (name: string) => {
    let t = tables.get(name);
    if (!t) tables.set(name, (t = { rows: 0, files: 0, bytes: 0, distinctRows: 0, distinctBytes: 0 }));
    return t;
  };
  for (const [t, count] of Object.entries(mix)) {
    for (const [name, perEvent] of Object.entries(types[t]?.rows ?? {})) table(name).rows += count * perEvent;
  }
  for (const [name, t] of tables) {
    const batch = w.tables[name];
    // An invocation writes a file for a table when its batch holds one of its rows: with rows arriving at random over
    // the day, I x (1 - e^(-rows/I)) files a day (every invocation for a busy table, one per row for a rare one).
    t.files = invocations * (1 - Math.exp(-t.rows / invocations));
    t.bytes = t.rows * (batch?.bytesPerRow ?? Math.max(...Object.values(w.tables).map((b) => b.bytesPerRow)));
    t.distinctRows = t.rows;
    t.distinctBytes = t.bytes;
  }
  let lakePuts = invocations * w.puts;

  // Realtime checks: one event per invocation, its DynamoDB calls.
  const realtimeMs = Object.entries(mix).reduce(
    (n, [t, c]) => n + (types[t]?.realtime ? c * (types[t]!.realtimeMs + types[t]!.stateCalls * A.dynamoCallMs) : 0),
    0,
  );
  lambda('realtime', 'realtime checks', realtimeEvents / A.realtimeEventsPerInvocation, realtimeMs / Math.max(1, realtimeEvents));
  add('SQS', 'realtime queue (send, receive, delete; idle polls)', 'sqsRequests', sqsFor(realtimeEvents) * D);
  let readUnits = perType('readUnits');
  let writeUnits = perType('writeUnits');

  // Pollers: a day measured on the scenario, scaled to this organisation.
  const units = {
    users: volume.users / m.polls.units.users,
    meetings: volume.meetingsPerDay / m.polls.units.meetings,
    participations: volume.participationsPerDay / m.polls.units.participations,
  };
  const heavyOf = (calls: PollFigures['sources'][string]['zoomCalls']) => (calls.Heavy ?? 0) + (calls.ResourceIntensive ?? 0);
  let heavyDemand = 0;
  for (const [source, day] of Object.entries(m.polls.sources)) {
    const calls = heavyCallsAt(day.heavy, units[SOURCE_SCALE[source] ?? 'users']);
    figures[`zoom_heavy_calls_per_day.${source}`] = calls;
    heavyDemand += calls;
  }
  // The correlation's two Heavy calls per correlated meeting come out of the same daily share.
  const correlationHeavy = 2 * volume.meetingsPerDay * correlationShare(m, correlation);
  // Zoom's daily share: a run whose source's calls it no longer allows stops until 00:00 UTC (the data falls behind).
  const allowed = Math.max(0, deployment.zoomHeavyAllowedPerDay - correlationHeavy);
  const served = heavyDemand === 0 ? 1 : Math.min(1, allowed / heavyDemand);
  figures.zoom_heavy_calls_demanded_per_day = heavyDemand + correlationHeavy;
  figures.zoom_heavy_calls_allowed_per_day = deployment.zoomHeavyAllowedPerDay;
  figures.zoom_heavy_share_served = served;
  let pollerRuns = 0;
  let pollerMs = 0;
  for (const [source, day] of Object.entries(m.polls.sources)) {
    // Sources that spend the share (Heavy calls) are cut to the share served; the others run whole.
    const k = units[SOURCE_SCALE[source] ?? 'users'] * (heavyOf(day.zoomCalls) > 0 ? served : 1);
    const calls = Object.values(day.zoomCalls).reduce((a, b) => a + (b ?? 0), 0) * k;
    pollerRuns += day.runs;
    pollerMs += day.cpuMs * k + calls * A.zoomCallMs + day.puts * A.s3PutMs + day.stateCalls * k * A.dynamoCallMs;
    readUnits += day.readUnits * k;
    // Every Heavy or Resource-intensive call takes one unit of the shared daily budget: one DynamoDB update in AWS.
    writeUnits += day.writeUnits * k + heavyOf(day.zoomCalls) * k;
    lakePuts += day.puts;
    for (const [name, t] of Object.entries(day.tables)) {
      const perRow = m.pollBytesPerRow[name] ?? 0;
      const scale = units[TABLE_SCALE[name] ?? 'users'];
      const tt = table(name);
      tt.rows += t.written * scale * (heavyOf(day.zoomCalls) > 0 ? served : 1);
      tt.files += t.files;
      tt.bytes += t.written * scale * (heavyOf(day.zoomCalls) > 0 ? served : 1) * perRow;
      tt.distinctRows += t.dayRows * scale;
      tt.distinctBytes += t.dayRows * scale * perRow;
    }
  }
  lambda('poller', 'pollers', pollerRuns, pollerMs / Math.max(1, pollerRuns));

  // Post-meeting correlation.
  const meetings = volume.meetingsPerDay;
  const c = m.webhooks.correlation;
  const share = correlationShare(m, correlation);
  const correlated = meetings * share;
  figures.correlated_meetings_per_day = correlated;
  figures.correlated_share = share;
  lambda('starter', 'correlation starter', meetings, c.starterMs + c.starterStateCalls * A.dynamoCallMs + share * A.awsApiCallMs);
  readUnits += meetings * c.starterReadUnits;
  add(
    'Step Functions',
    `Standard transitions (${deployment.correlationTransitions} per correlated meeting)`,
    'sfnStandardTransitions',
    correlated * D * deployment.correlationTransitions,
  );
  add('X-Ray', 'traces of correlation executions', 'xrayTraces', correlated * D);
  logBytesPerDay.set('correlation state machine', correlated * deployment.correlationTransitions * A.sfnLogEventsPerState * A.sfnLogEventBytes);
  const correlationQueries: readonly QueryScans[] =
    correlation === 'needed_with_data_access'
      ? m.scans.correlationWithDataAccess
      : correlation === 'all_before_change'
        ? beforeChange(m.scans)
        : m.scans.correlation;
  const exposureQueries = correlationQueries.filter((q) => q.query === 'exposure').length;
  const correlateQueries = correlationQueries.length - exposureQueries;
  lambda('correlationFetch', 'correlation fetch (2 per meeting)', 2 * correlated, A.zoomCallMs + A.s3PutMs + 2 * A.dynamoCallMs);
  lambda('correlationExposure', 'correlation exposure', correlated, exposureQueries * A.athenaQueryMs);
  lambda('correlationCorrelate', 'correlation correlate', correlated, correlateQueries * A.athenaQueryMs);
  lambda('correlationAlerts', 'correlation alerts', correlated, A.dynamoCallMs);
  writeUnits += correlated * (2 + 2); // two budget takes, the exposure summary (about 2 KB)
  lakePuts += 2 * correlated;
  table('meeting_participants').files += correlated;
  table('participant_details').files += correlated;

  // Athena: scheduled detections and the correlation's queries, over the tables' days at this volume.
  const held = Math.min(volume.retainedDays, deployment.lakeLifecycle.expireAfterDays ?? Number.POSITIVE_INFINITY);
  const compaction = deployment.compaction;
  /** Requests to read one day of a table whose files hold `bytes` in `files` files (small files: one GET each). */
  const getsFor = (bytes: number, files: number) => (files === 0 ? 0 : files * (bytes / files < A.athenaSmallFileBytes ? 1 : 2));
  /** Files of a compacted day: one, or one per maxRowsPerFile records; a day of one file stays as it is. */
  const compactedFiles = (t: { files: number; distinctRows: number }) =>
    !compaction || t.files <= 1 ? t.files : Math.max(1, Math.ceil(t.distinctRows / compaction.maxRowsPerFile));
  // Yesterday is compacted only once the day's run is done: before it, queries read it as written.
  const yesterdayUncompacted = compaction ? compaction.firstRunHour / 24 : 1;
  const scanCost = (q: QueryScans) => {
    let bytes = 0;
    let gets = 0;
    let lists = 0;
    let partitions = 0;
    for (const s of q.scans) {
      const t = tables.get(s.table) ?? { rows: 0, files: 0, bytes: 0, distinctRows: 0, distinctBytes: 0 };
      const days = s.unpruned ? held : Math.min(s.days, held);
      if (compaction && days > 1) {
        // Today as written; every closed day compacted (yesterday only after the run); 1-day scans read today alone.
        const closed = days - 1 - (days > 1 ? yesterdayUncompacted : 0);
        const asWritten = days - closed;
        bytes += asWritten * t.bytes + closed * t.distinctBytes;
        gets += asWritten * getsFor(t.bytes, t.files) + closed * getsFor(t.distinctBytes, compactedFiles(t));
      } else {
        bytes += days * t.bytes;
        gets += days * getsFor(t.bytes, t.files);
      }
      lists += days * A.athenaListsPerPartition;
      partitions += days;
    }
    return { billed: Math.max(10 * MB, Math.ceil(bytes / MB) * MB), bytes, gets, lists, partitions, scans: q.scans.length };
  };
  const getUsd = costOf('s3GetRequests', 1);
  const athenaUsd = costOf('athenaTbScanned', 1) / 1024 ** 4;
  let athenaBytes = 0;
  let athenaQueries = 0;
  let athenaGets = 0;
  let athenaLists = 0;
  let glueCalls = 0;
  let runnerRuns = 0;
  const detections: DetectionUse[] = [];
  for (const [id, runs] of Object.entries(deployment.detectionRunsPerMonth)) {
    const q = m.scans.detections[id];
    if (!q) continue;
    const cost = scanCost(q);
    athenaBytes += cost.billed * runs;
    athenaGets += cost.gets * runs;
    athenaLists += cost.lists * runs;
    glueCalls += cost.scans * A.glueCallsPerScan * runs;
    athenaQueries += runs;
    runnerRuns += runs;
    detections.push({
      id,
      runs,
      mbPerRun: cost.bytes / MB,
      getsPerRun: cost.gets,
      partitionsPerRun: cost.partitions,
      usd: runs * (cost.billed * athenaUsd + cost.gets * getUsd),
    });
  }
  const scheduledBytes = athenaBytes;
  lambda('runner', 'detection runner', runnerRuns / D, A.athenaQueryMs);
  add('Athena', 'scheduled detections (data scanned, 10 MB minimum a query)', 'athenaTbScanned', scheduledBytes / 1024 ** 4);
  let correlationBytes = 0;
  for (const q of correlationQueries) {
    const cost = scanCost(q);
    correlationBytes += cost.billed * correlated * D;
    athenaGets += cost.gets * correlated * D;
    athenaLists += cost.lists * correlated * D;
    glueCalls += cost.scans * A.glueCallsPerScan * correlated * D;
    athenaQueries += correlated * D;
  }
  add('Athena', `correlation (${correlationQueries.length} queries per correlated meeting)`, 'athenaTbScanned', correlationBytes / 1024 ** 4);
  add('S3', 'GET requests (Athena reading lake files)', 's3GetRequests', athenaGets);
  add('S3', 'LIST requests (Athena listing partitions)', 's3PutRequests', athenaLists);
  add('Glue', 'Data Catalog requests (Athena planning)', 'glueRequests', glueCalls);
  figures.athena_queries_per_month = athenaQueries;
  figures.athena_gets_per_month = athenaGets;

  // The daily compaction: each closed day of every table of several files read, rewritten, its files deleted; the
  // lookback days are listed again (already compact, nothing else). Measured per row and per file (measure-compaction.ts).
  let compactionRequests = 0;
  let compactionNoncurrentGbPerDay = 0;
  if (compaction) {
    const cf = m.compaction;
    const runsPerDay = compaction.runsPerMonth / D;
    let gets = 0;
    let deletes = 0;
    let puts = 0;
    let cpuMs = 0;
    let tableDays = 0;
    for (const t of tables.values()) {
      if (t.files <= 1) continue;
      tableDays++;
      gets += t.files * cf.getsPerFileRead;
      deletes += t.files * cf.deletesPerFileRead;
      puts += compactedFiles(t);
      cpuMs += t.rows * cf.cpuMsPerRowRead;
      compactionNoncurrentGbPerDay += t.bytes / 1024 ** 3;
    }
    const lists = runsPerDay * tables.size * (1 + compaction.lookbackDays) * cf.listsPerTableDay;
    const ms = cpuMs + (gets + deletes + lists + puts) * A.s3RequestMs;
    const fn = compaction.fn;
    add('Lambda', 'lake compaction: requests', 'lambdaRequests', runsPerDay * D);
    add(
      'Lambda',
      `lake compaction: duration (${fn.memoryMb} MB ${fn.architecture})`,
      fn.architecture === 'arm64' ? 'lambdaArmGbSecond' : 'lambdaX86GbSecond',
      D * gbSeconds(fn, ms),
    );
    logBytesPerDay.set('lake compaction', runsPerDay * (A.lambdaPlatformLogBytes + A.appLogLineBytes) + tableDays * A.appLogLineBytes);
    add('S3', 'GET requests (the compaction reading closed days)', 's3GetRequests', gets * D);
    add('S3', 'PUT and LIST requests (the compaction)', 's3PutRequests', (puts + lists) * D);
    // S3 bills no DELETE request; each is an access log record, counted below.
    compactionRequests = (gets + deletes + puts + lists) * D;
    figures.compaction_table_days_per_day = tableDays;
    figures.compaction_gets_per_day = gets;
    figures.compaction_deletes_per_day = deletes;
    figures.compaction_puts_per_day = puts;
    figures.compaction_lists_per_day = lists;
    figures.compaction_seconds_per_day = ms / 1000;
    figures.compaction_gb_seconds_per_day = gbSeconds(fn, ms);
  }

  // S3: lake puts and storage in the modelled month (objects under 128 KB never leave Standard: lifecycle minimum).
  add('S3', 'PUT requests (lake files, query results)', 's3PutRequests', lakePuts * D + athenaQueries * A.athenaResultPutsPerQuery);
  let standardGb = 0;
  let iaGb = 0;
  let transitions = 0;
  const ia = deployment.lakeLifecycle.infrequentAccessAfterDays;
  for (const t of tables.values()) {
    const compacted = compaction !== undefined && t.files > 1;
    const perDayGb = (compacted ? t.distinctBytes : t.bytes) / 1024 ** 3;
    const files = compactedFiles(t);
    const objectBytes = files === 0 ? 0 : (compacted ? t.distinctBytes : t.bytes) / files;
    const iaDays = objectBytes >= 128 * 1024 ? Math.max(0, held - ia) : 0;
    standardGb += perDayGb * (held - iaDays);
    iaGb += perDayGb * iaDays;
    if (iaDays > 0) transitions += files * D;
  }
  const resultsGb = (athenaQueries * A.athenaResultBytesPerQuery * Math.min(1, deployment.athenaResultsRetentionDays / D)) / 1024 ** 3;
  const accessLogRecords = lakePuts * D + athenaGets + athenaLists + athenaQueries * A.athenaResultPutsPerQuery + compactionRequests;
  const accessLogGb = (accessLogRecords * A.s3AccessLogRecordBytes * Math.min(A.monthsRunning, deployment.accessLogRetentionDays / D)) / 1024 ** 3;
  add('S3', 'lake storage, Standard', 's3StandardGbMonth', standardGb);
  add('S3', 'lake storage, Standard-IA', 's3StandardIaGbMonth', iaGb);
  if (compaction) {
    add(
      'S3',
      'lake storage, files the compaction replaced (noncurrent versions, undo window)',
      's3StandardGbMonth',
      compactionNoncurrentGbPerDay * Math.min(deployment.noncurrentVersionDays, D),
    );
  }
  add('S3', 'lifecycle transitions to Standard-IA', 's3TransitionToIa', transitions);
  add('S3', 'query results and server access logs, Standard', 's3StandardGbMonth', resultsGb + accessLogGb);
  figures.lake_gb = standardGb + iaGb;
  figures.lake_bytes_per_day = [...tables.values()].reduce((n, t) => n + t.bytes, 0);
  figures.lake_files_per_day = [...tables.values()].reduce((n, t) => n + t.files, 0);

  // DynamoDB (on demand, PITR on): request units counted on the state store; storage is small.
  add('DynamoDB', 'write request units', 'dynamoWriteRequestUnits', writeUnits * D);
  add('DynamoDB', 'read request units', 'dynamoReadRequestUnits', readUnits * D);
  const stateGb = ((volume.users * 3 + realtimeEvents * 3) * 300) / 1024 ** 3;
  add('DynamoDB', 'storage', 'dynamoStorageGbMonth', stateGb);
  if (deployment.pointInTimeRecovery) add('DynamoDB', 'point-in-time recovery', 'dynamoPitrGbMonth', stateGb);
  figures.dynamo_write_units_per_day = writeUnits;
  figures.dynamo_read_units_per_day = readUnits;

  // Keys, secrets, schedules.
  add('KMS', 'customer-managed keys', 'kmsKeyMonth', deployment.kmsKeys);
  const secretCalls = (2 * 288 + pollerRuns + 2 * correlated) * D;
  add(
    'KMS',
    'requests (data keys of encrypted queues, logs, table, buckets; secret reads)',
    'kmsRequests',
    deployment.kmsUsers * A.kmsCallsPerUserPerDay * D + secretCalls,
  );
  add('Secrets Manager', 'secrets', 'secretMonth', deployment.secrets);
  add('Secrets Manager', 'API calls (cached five minutes per container)', 'secretApiCalls', secretCalls);
  const scheduled =
    Object.values(deployment.pollRunsPerMonth).reduce((a, b) => a + b, 0) +
    Object.values(deployment.detectionRunsPerMonth).reduce((a, b) => a + b, 0) +
    (compaction?.runsPerMonth ?? 0);
  add('EventBridge', 'Scheduler invocations (polls, detections, compaction)', 'schedulerInvocations', scheduled);

  // CloudWatch: alarms, the metrics zoomlake emits, logs.
  add('CloudWatch', `alarms (${deployment.alarms})`, 'cloudWatchAlarmMetric', deployment.alarmMetrics);
  add('CloudWatch', 'custom metrics (time series with data in the month)', 'cloudWatchCustomMetric', customMetrics(deployment));
  const logGbPerDay = [...logBytesPerDay.values()].reduce((a, b) => a + b, 0) / 1024 ** 3;
  const retentionMonths = Math.min(A.monthsRunning, Math.min(...deployment.logGroups.map((g) => g.retentionDays)) / D);
  add('CloudWatch', 'logs ingested', 'cloudWatchLogsIngestedGb', logGbPerDay * D);
  add('CloudWatch', 'logs stored (compressed)', 'cloudWatchLogsStoredGbMonth', logGbPerDay * D * retentionMonths * A.logCompression);
  figures.log_gb_per_month = logGbPerDay * D;

  const totalUsd = items.reduce((n, i) => n + i.usd, 0);
  const totalWithFreeTierUsd = items.reduce((n, i) => n + i.usdWithFreeTier, 0);
  return { volume, correlation, compaction: compaction !== undefined, detections, items, totalUsd, totalWithFreeTierUsd, figures };
}

/** The share of ended meetings correlated in `mode`. */
function correlationShare(m: Measured, mode: CorrelationMode): number {
  const c = m.webhooks.correlation;
  return mode === 'needed' ? c.shareDefault : mode === 'needed_with_data_access' ? c.shareWithDataAccess : 1;
}

/**
 * The correlation's queries before issue #17: Exposure's, then the download detection's own query for every meeting,
 * which read a month of its lookup tables (`downloadMonth`).
 */
function beforeChange(scans: ScanFigures): QueryScans[] {
  const download = scans.downloadMonth;
  const exposure = scans.correlation.filter((q) => q.query === 'exposure');
  return download ? [...exposure, { ...download, query: 'correlate' }] : exposure;
}

/**
 * Metric time series that receive data in the month (core/metrics.ts, as the handlers emit them): AlertsRaised for the
 * detections that alert, DetectionFailed never (no failures), CursorAdvanced for every poll source (0 or 1 each run),
 * SourceDisabled never, the participant-details budget metrics (every run of that source), VerifiedEvents; the
 * throttle metric filter only counts 429s (none).
 */
function customMetrics(d: Deployment): number {
  const detections = Object.keys(d.detectionRunsPerMonth).length;
  const sources = Object.keys(d.pollRunsPerMonth).length;
  const details = 'participant_details' in d.pollRunsPerMonth ? 1 : 0;
  const series: Readonly<Record<keyof typeof METRICS, number>> = {
    AlertsRaised: Math.ceil(detections * A.detectionsAlertingShare),
    DetectionFailed: 0,
    CursorAdvanced: sources,
    SourceDisabled: 0,
    BudgetSkipped: details,
    BudgetSkippedRisky: details,
    BacklogDropped: details,
    VerifiedEvents: 1,
    WebhookThrottled: 0,
  };
  return Object.values(series).reduce((a, b) => a + b, 0);
}

function priceUnit(name: PriceName): string {
  return PRICES[name].unit;
}
