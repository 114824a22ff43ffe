import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LocalRuntime } from '../pipeline/runtime.ts';
import type { ReportData } from './data.ts';
import { CliFailure } from '../terminal/failure.ts';
import { requireLake } from '../pipeline/lake-folder.ts';
import { collectReportData } from './queries.ts';
import { renderReport } from './render.ts';

/** The report cannot be written to its output. */
export class ReportError extends CliFailure {
  override readonly name = 'ReportError';
  readonly retryable = false;
}

/** Where the report went and what it showed. */
export interface WrittenReport {
  readonly out: string;
  readonly bytes: number;
  readonly data: ReportData;
}

/**
 * Queries the local lake, renders the report and writes it to `out` (its folder is created when missing). Throws
 * NoLakeError when the runtime's folder is not a zoomlake data folder.
 */
export async function writeReport(rt: LocalRuntime, out: string): Promise<WrittenReport> {
  const dir = rt.paths.dir;
  requireLake(rt.paths);
  const engine = await rt.openQueryEngine();
  let data: ReportData;
  try {
    data = await collectReportData(engine, {
      generatedAt: new Date(rt.clock.now()).toISOString(),
      dir,
      internalDomains: rt.config.internalDomains,
      minClientVersion: rt.config.minClientVersion,
    });
  } finally {
    await engine.close();
  }
  const html = renderReport(data);
  const target = resolve(out);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, html);
  } catch (error) {
    throw new ReportError(`cannot write the report to ${target}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { out: target, bytes: Buffer.byteLength(html), data };
}
