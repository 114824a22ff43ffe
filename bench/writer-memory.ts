/** The lake writer's peak memory on one batch of 1,000 large referenced bodies, for `npm run bench`. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WEBHOOK_WRITER_MEMORY_MB } from '#core/webhook/lake-writer.ts';

type Emit = (name: string, value: number, unit: string, extra?: Record<string, unknown>) => void;

const RUN = fileURLToPath(new URL('./writer-memory-run.ts', import.meta.url));

/** What bench/writer-memory-run.ts prints. */
interface WriterMemoryFigures {
  bodies: number;
  body_mib: number;
  seconds: number;
  parquet_files: number;
  parquet_mib: number;
  baseline_rss_mib: number;
  setup_max_rss_mib: number;
  max_rss_mib: number;
  sampled_peak_rss_mib: number;
  sampled_peak_heap_mib: number;
  limits: Record<string, number>;
}

/**
 * Runs the batch in a fresh process (BENCH_WRITER_BODIES bodies, default 1,000) so the peak is the writer's alone, and
 * reports it next to the memory the writer function is given.
 */
export function writerMemoryBench(emit: Emit, bodies: number): void {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', RUN], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', BENCH_WRITER_BODIES: String(bodies) },
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  const f = JSON.parse(out.trim().split('\n').at(-1)!) as WriterMemoryFigures;
  // The kernel's high-water mark covers the whole process; it is the writer's only if setting up the batch peaked lower.
  if (f.setup_max_rss_mib >= f.max_rss_mib) throw new Error(`setting up the writer bench peaked at ${f.setup_max_rss_mib} MiB, above the run itself`);
  const batch = { bodies: f.bodies, body_mib: Math.round(f.body_mib), limits: f.limits };
  emit('webhook_writer_peak_rss_mib', f.max_rss_mib, 'MiB', {
    ...batch,
    function_memory_mb: WEBHOOK_WRITER_MEMORY_MB,
    within_function_memory: f.max_rss_mib < WEBHOOK_WRITER_MEMORY_MB,
    baseline_rss_mib: Math.round(f.baseline_rss_mib),
    sampled_peak_heap_mib: Math.round(f.sampled_peak_heap_mib),
    note: 'max RSS of a process running only the writer handler on one SQS batch of referenced recording.completed bodies (2-6 MiB each)',
  });
  emit('webhook_writer_batch_mib_per_s', f.body_mib / f.seconds, 'MiB/s', {
    ...batch,
    seconds: Number(f.seconds.toFixed(1)),
    note: 'this machine, body store in memory; Lambda at 1024 MB has about 0.6 vCPU',
  });
  emit('webhook_writer_parquet_files_per_batch', f.parquet_files, 'files', { ...batch, parquet_mib: Math.round(f.parquet_mib) });
}
