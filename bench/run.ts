/**
 * `npm run bench`: performance figures as JSON lines (`{"name","value","unit",...}`), never asserted in tests.
 * BENCH_ONLY picks parts (parquet, webhook, bundle, writer, poller, detections, realtime, patterns, cost); BENCH_ORG_USERS sizes the detections lake (10,000).
 * BENCH_ROWS overrides the Parquet row count (default 1,000,000), BENCH_EVENTS the webhook event count (200,000),
 * BENCH_WRITER_BODIES the large referenced bodies in the writer's memory batch (1,000), BENCH_REALTIME_EVENTS the
 * realtime latency webhooks (300), BENCH_REALTIME_RATE_EVENTS the realtime rate webhooks (5,000) and
 * BENCH_REALTIME_IN_FLIGHT the requests in flight for the rate (64).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeParquet } from '#core/lake/parquet/encode.ts';
import { encodeParquetReference } from '../test/support/reference-parquet.ts';
import { identifyRow } from '#core/lake/records.ts';
import { getTable, tableColumns } from '#core/schema/registry.ts';
import type { Row } from '#core/schema/types.ts';
import { participantRows } from './synthetic.ts';
import { addLaps, stopwatch, type Lap } from './timing.ts';
import { pollerBench } from './poller.ts';
import { webhookBench } from './webhook.ts';
import { bundleBench } from './bundle.ts';
import { writerMemoryBench } from './writer-memory.ts';
import { detectionsBench } from './detections.ts';
import { realtimeBench } from './realtime.ts';
import { patternsBench } from './patterns.ts';
import { costBench } from './cost/index.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const emit = (name: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ name, value: Number(value.toFixed(3)), unit, ...extra }));

/** The Parquet writer figures: row preparation, our encoder, the reference encoder, DuckDB's COPY, sizes. */
async function parquetBench(): Promise<void> {
  const def = getTable('participant_events');
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-bench-'));
  try {
    const source = participantRows(ROWS);
    const ingestedAt = Date.UTC(2026, 10, 1);

    // Row preparation as the lake writer does it (LakeWriter.add): validate, partition, hash the record id; the row is
    // kept as given and its record_id and ingested_at travel beside it into the encoder.
    let lap = stopwatch();
    const recordIds: string[] = new Array(ROWS);
    for (let i = 0; i < ROWS; i++) {
      const r = identifyRow(def, source[i]!);
      if (!r.ok) throw new Error(r.problems.join('; '));
      recordIds[i] = r.recordId;
    }
    const prepare = lap();
    const added = { record_id: recordIds, ingested_at: new Array<number>(ROWS).fill(ingestedAt) };

    lap = stopwatch();
    const parquet = encodeParquet(def, source, 'zoomlake', {}, added);
    const encode = lap();
    const ours = ROWS / encode.seconds;
    const cpuRate = (l: Lap) => Math.round(ROWS / l.cpuSeconds);
    emit('prepare_rows_per_s', ROWS / prepare.seconds, 'rows/s', {
      rows: ROWS,
      note: 'validation + dt + record_id hashing (LakeWriter.add)',
      cpu_rows_per_s: cpuRate(prepare),
      target_min: Math.round(ours),
      goal: 'at least the encoder rate of this run',
    });
    emit('parquet_encode_rows_per_s', ours, 'rows/s', {
      rows: ROWS,
      encoder: 'zoomlake (lambdas/core/lake/parquet/)',
      columns: tableColumns(def).length,
      cpu_rows_per_s: cpuRate(encode),
    });
    const both = addLaps(prepare, encode);
    emit('parquet_write_path_rows_per_s', ROWS / both.seconds, 'rows/s', {
      rows: ROWS,
      note: 'prepare + encode',
      cpu_rows_per_s: cpuRate(both),
      target_min: 150_000,
    });
    // The files the other encoders write hold the same rows, record_id and ingested_at included (not timed).
    const prepared: Row[] = source.map((row, i) => ({ ...row, record_id: recordIds[i]!, ingested_at: ingestedAt }));
    const oursFile = join(dir, 'ours.parquet');
    writeFileSync(oursFile, parquet);

    let t = performance.now();
    const reference = encodeParquetReference(def, prepared);
    const referenceRate = ROWS / ((performance.now() - t) / 1000);
    emit('reference_encode_rows_per_s', referenceRate, 'rows/s', { rows: ROWS, encoder: 'hyparquet-writer (reference, tuned)' });
    emit('reference_parquet_bytes_per_row', reference.byteLength / ROWS, 'bytes/row', { rows: ROWS });

    // DuckDB gets the same prepared rows through NDJSON; only its native COPY ... TO parquet is timed.
    const ndjsonFile = join(dir, 'rows.ndjson');
    const fd = openSync(ndjsonFile, 'w');
    for (let i = 0; i < ROWS; i += 10_000)
      writeSync(
        fd,
        prepared
          .slice(i, i + 10_000)
          .map((r) => JSON.stringify(r) + '\n')
          .join(''),
      );
    closeSync(fd);
    const ndjsonBytes = statSync(ndjsonFile).size;
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    await conn.run(`SET TimeZone='UTC'`);
    const cols = tableColumns(def)
      .map(
        (c) =>
          `'${c.name}': '${c.type === 'timestamp' || c.type === 'bigint' ? 'BIGINT' : c.type === 'int' ? 'INTEGER' : c.type === 'boolean' ? 'BOOLEAN' : c.type === 'double' ? 'DOUBLE' : 'VARCHAR'}'`,
      )
      .join(', ');
    await conn.run(`CREATE TABLE rows AS SELECT * FROM read_json('${ndjsonFile}', format = 'newline_delimited', columns = {${cols}})`);
    const tsCols = tableColumns(def)
      .filter((c) => c.type === 'timestamp')
      .map((c) => c.name);
    await conn.run(`CREATE TABLE typed AS SELECT * REPLACE (${tsCols.map((c) => `make_timestamp(${c} * 1000) AS ${c}`).join(', ')}) FROM rows`);
    const duckFile = join(dir, 'duckdb.parquet');
    t = performance.now();
    await conn.run(`COPY typed TO '${duckFile}' (FORMAT parquet, COMPRESSION snappy)`);
    const duckSeconds = (performance.now() - t) / 1000;
    const duckRate = ROWS / duckSeconds;
    emit('duckdb_copy_rows_per_s', duckRate, 'rows/s', { rows: ROWS, codec: 'snappy' });
    emit('encode_ratio_vs_duckdb', ours / duckRate, 'ratio', { rows: ROWS, target_min: 0.3 });
    emit('reference_encode_ratio_vs_duckdb', referenceRate / duckRate, 'ratio', { rows: ROWS });

    // Same rows read back through DuckDB: a file DuckDB cannot read, or reads differently, is not a result.
    const check = await conn.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT record_id) AS ids FROM read_parquet('${oursFile}')`);
    const [n, ids] = check.getRows()[0]!;
    if (Number(n) !== ROWS || Number(ids) !== ROWS) throw new Error(`read back ${n} rows / ${ids} ids, wrote ${ROWS}`);
    conn.closeSync();

    const oursBytes = statSync(oursFile).size;
    const duckBytes = statSync(duckFile).size;
    emit('parquet_bytes_per_row', oursBytes / ROWS, 'bytes/row', { rows: ROWS, file_mib: Number((oursBytes / 2 ** 20).toFixed(1)) });
    emit('duckdb_parquet_bytes_per_row', duckBytes / ROWS, 'bytes/row', { rows: ROWS, file_mib: Number((duckBytes / 2 ** 20).toFixed(1)) });
    emit('ndjson_bytes_per_row', ndjsonBytes / ROWS, 'bytes/row', { rows: ROWS });
    emit('parquet_size_vs_duckdb', oursBytes / duckBytes, 'ratio', { rows: ROWS, target_max: 1.2 });
    emit('parquet_size_vs_ndjson', oursBytes / ndjsonBytes, 'ratio', { rows: ROWS });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// BENCH_ONLY=parquet,webhook,bundle,writer,poller,detections,realtime,patterns,cost runs a subset.
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wants = (part: string) => only === undefined || only.includes(part);
if (wants('parquet')) await parquetBench();
if (wants('webhook')) await webhookBench(emit, Number(process.env.BENCH_EVENTS ?? 200_000));
if (wants('bundle')) await bundleBench(emit, Number(process.env.BENCH_COLD_RUNS ?? 7));
if (wants('writer')) writerMemoryBench(emit, Number(process.env.BENCH_WRITER_BODIES ?? 1_000));
if (wants('poller')) await pollerBench(emit);
if (wants('detections')) await detectionsBench(emit);
if (wants('realtime')) {
  await realtimeBench(
    emit,
    Number(process.env.BENCH_REALTIME_EVENTS ?? 300),
    Number(process.env.BENCH_REALTIME_RATE_EVENTS ?? 5_000),
    Number(process.env.BENCH_REALTIME_IN_FLIGHT ?? 64),
  );
}
if (wants('patterns')) patternsBench(emit);
if (wants('cost')) await costBench(emit);
emit('peak_rss_mib', process.resourceUsage().maxRSS / 1024, 'MiB');
