/**
 * The lake writer's memory on one SQS batch of large referenced bodies, run alone in its own process (started by
 * bench/writer-memory.ts) so the figure is this batch's, not the rest of the bench's. Prints JSON lines.
 *
 * Bodies are recording.completed events whose participant_audio_files list makes them 2-6 MiB (a tenth of the names
 * are not Latin-1, so V8 keeps those bodies as two-byte strings, the costlier case). They are generated on demand by
 * the body store from their key, as S3 would hand them over, and the Parquet files the writer puts are counted and
 * dropped, as S3 would take them away: what stays in memory is the writer's own doing.
 */
import { createHash } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import type { ObjectStore } from '#core/ports.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { DEFAULT_WEBHOOK_WRITE_LIMITS } from '#core/webhook/lake-writer.ts';
import { WEBHOOK_BODY_PREFIX, WEBHOOK_EVENT_SOURCE } from '#core/webhook/receive.ts';
import { makeHandler } from '../lambdas/handlers/webhook-lake-writer.handler.ts';
import { prng } from './synthetic.ts';

const NOW = Date.UTC(2026, 10, 26, 12);
const MIB = 1024 * 1024;
const count = Number(process.env.BENCH_WRITER_BODIES ?? 1_000);
const seed = 11;

const NAMES = ['Ann Lee', 'Bo Chen', 'Carla Díaz', 'Dev Patel', 'Eve Martin', 'Farid Haddad', 'Gus Olsen', 'Hana Sato', 'Ivan Petrov'];
const WIDE = ['佐藤 花子', 'Анна Иванова', 'محمد علي', '김민준'];
// Random hex drawn from a fixed pool: generating every character would make the body store, not the writer, the slow part.
const POOL = (() => {
  const rand = prng(seed);
  return Array.from({ length: 4096 }, () => Array.from({ length: 128 }, () => Math.floor(rand() * 16).toString(16)).join(''));
})();
const hex = (rand: () => number, n: number) => {
  let s = '';
  while (s.length < n) s += POOL[Math.floor(rand() * POOL.length)]!;
  return s.slice(0, n);
};

/** Body `i`: the same bytes every time it is asked for. */
function body(i: number): Uint8Array {
  const rand = prng(seed * 1_000_003 + i);
  const target = Math.floor((2 + 4 * rand()) * MIB);
  const wide = rand() < 0.1;
  const meetingId = 81_000_000_000 + i;
  const start = new Date(NOW - 3_600_000).toISOString().replace('.000', '');
  const end = new Date(NOW).toISOString().replace('.000', '');
  const downloadToken = `eyJ${hex(rand, 600)}`;
  const head = webhookBody(
    {
      event: 'recording.completed',
      eventTs: NOW - i,
      payload: {
        account_id: 'acct-bench',
        object: {
          id: meetingId,
          uuid: `${hex(rand, 22)}==`,
          host_id: `h${hex(rand, 20)}`,
          account_id: 'acct-bench',
          topic: `All hands ${i}`,
          type: 8,
          start_time: start,
          password: hex(rand, 8),
          timezone: 'Europe/London',
          host_email: `host${i % 50}@example.com`,
          duration: 60,
          share_url: `https://example.zoom.us/rec/share/${hex(rand, 64)}`,
          total_size: 1_234_567_890,
          recording_count: 3,
          recording_files: ['MP4', 'M4A', 'TRANSCRIPT'].map((type) => ({
            id: hex(rand, 36),
            meeting_id: `${hex(rand, 22)}==`,
            recording_start: start,
            recording_end: end,
            file_type: type,
            file_size: Math.floor(rand() * 1e9),
            file_extension: type === 'TRANSCRIPT' ? 'VTT' : type,
            play_url: `https://example.zoom.us/rec/play/${hex(rand, 80)}`,
            download_url: `https://example.zoom.us/rec/webhook_download/${hex(rand, 120)}`,
            status: 'completed',
            recording_type: 'shared_screen_with_speaker_view',
          })),
          participant_audio_files: [] as unknown[],
        },
      },
    },
    { download_token: downloadToken },
  );
  // The list is spliced in as text: JSON.stringify of thousands of objects per body would make setup, not the writer, the slow part.
  const cut = head.lastIndexOf('[]');
  const parts: string[] = [head.slice(0, cut + 1)];
  let size = head.length;
  for (let n = 0; size < target; n++) {
    const name = wide && n % 3 === 0 ? WIDE[n % WIDE.length]! : NAMES[n % NAMES.length]!;
    const entry =
      `${n === 0 ? '' : ','}{"id":"${hex(rand, 36)}","recording_start":"${start}","recording_end":"${end}",` +
      `"file_name":"Audio only - ${name} ${n}","file_type":"M4A","file_extension":"M4A","file_size":${Math.floor(rand() * 5e7)},` +
      `"play_url":"https://example.zoom.us/rec/play/${hex(rand, 80)}","download_url":"https://example.zoom.us/rec/webhook_download/${hex(rand, 120)}",` +
      `"status":"completed"}`;
    parts.push(entry);
    size += Buffer.byteLength(entry);
  }
  parts.push(head.slice(cut + 1));
  return Buffer.from(parts.join(''), 'utf8');
}

const keyOf = (sha256: string) => `${WEBHOOK_BODY_PREFIX}/dt=2026-11-26/${sha256}.json`;

/** The body store as S3 would be: bodies generated on request, Parquet counted and let go. */
class GeneratedLake implements ObjectStore {
  readonly index = new Map<string, number>();
  puts = 0;
  putBytes = 0;
  async put(_key: string, bytes: Uint8Array): Promise<void> {
    this.puts += 1;
    this.putBytes += bytes.byteLength;
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    const i = this.index.get(key);
    sample();
    return i === undefined ? undefined : body(i);
  }
  async list(): Promise<string[]> {
    return [];
  }
  async delete(): Promise<void> {}
}

let peakHeap = 0;
let peakRss = 0;
function sample(): void {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
  peakRss = Math.max(peakRss, m.rss);
}

const lake = new GeneratedLake();
const records: SQSEvent['Records'] = [];
let bodyBytes = 0;
for (let i = 0; i < count; i++) {
  const bytes = body(i);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  lake.index.set(keyOf(sha256), i);
  bodyBytes += bytes.byteLength;
  const detail = { receivedAt: NOW, bodyRef: { key: keyOf(sha256), sha256, bytes: bytes.byteLength } };
  records.push({
    messageId: `m${i}`,
    receiptHandle: `r${i}`,
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:1:q',
    awsRegion: 'us-east-1',
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(NOW), SenderId: 'x', ApproximateFirstReceiveTimestamp: String(NOW) },
    messageAttributes: {},
    body: JSON.stringify({
      version: '0',
      id: `e${i}`,
      'detail-type': 'recording.completed',
      source: WEBHOOK_EVENT_SOURCE,
      account: '1',
      time: '',
      region: 'us-east-1',
      resources: [],
      detail,
    }),
  });
}

(globalThis as { gc?: () => void }).gc?.();
const baseline = process.memoryUsage();
const baselineMaxRss = process.resourceUsage().maxRSS * 1024;
peakRss = baseline.rss;
peakHeap = baseline.heapUsed + baseline.arrayBuffers;
const sampler = setInterval(sample, 5);
let n = 0;
const handle = makeHandler(
  { lake, clock: { now: () => NOW }, newId: () => `bench-${++n}` },
  { info: () => undefined, warn: () => undefined, error: () => undefined },
);
const t = performance.now();
const reply = await handle({ Records: records });
const seconds = (performance.now() - t) / 1000;
clearInterval(sampler);
sample();
if (reply.batchItemFailures.length > 0) throw new Error(`the writer failed ${reply.batchItemFailures.length} of ${count} bench records`);
const maxRss = process.resourceUsage().maxRSS * 1024;

console.log(
  JSON.stringify({
    bodies: count,
    body_mib: bodyBytes / MIB,
    seconds,
    parquet_files: lake.puts,
    parquet_mib: lake.putBytes / MIB,
    baseline_rss_mib: baseline.rss / MIB,
    setup_max_rss_mib: baselineMaxRss / MIB,
    max_rss_mib: maxRss / MIB,
    sampled_peak_rss_mib: peakRss / MIB,
    sampled_peak_heap_mib: peakHeap / MIB,
    limits: DEFAULT_WEBHOOK_WRITE_LIMITS,
  }),
);
