import { vi } from 'vitest';
import type { Clock } from '#core/ports.ts';
import type { HandlerLog, LogFields } from '#runtime/log.ts';
import { emfMetrics, type MetricSink } from '#runtime/metrics.ts';

/** One log call as a handler made it. */
export interface LogRecord {
  readonly level: 'INFO' | 'WARN' | 'ERROR';
  readonly message: string;
  /** The fields as a log line carries them (JSON round-tripped). */
  readonly fields: Record<string, unknown>;
}

/** A handler log that keeps every call, for tests to read back. */
export class RecordingLog implements HandlerLog {
  readonly records: LogRecord[] = [];
  /** Each call's fields as JSON, as the line carries them. */
  readonly lines: string[] = [];

  info(message: string, fields: LogFields = {}): void {
    this.record('INFO', message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.record('WARN', message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.record('ERROR', message, fields);
  }

  private record(level: LogRecord['level'], message: string, fields: LogFields): void {
    const line = JSON.stringify(fields);
    this.lines.push(line);
    this.records.push({ level, message, fields: JSON.parse(line) as Record<string, unknown> });
  }

  /** Each call's fields, in order. */
  fields(): Record<string, unknown>[] {
    return this.records.map((r) => r.fields);
  }

  /** Each call's level, in order. */
  levels(): string[] {
    return this.records.map((r) => r.level);
  }

  /** Every call as text (message and fields), for checks that nothing secret or personal was logged. */
  text(): string {
    return this.records.map((r) => JSON.stringify(r)).join('\n');
  }
}

/** The deployed metric sink (Powertools EMF), its lines kept in `lines` instead of going to stdout. */
export function capturedMetrics(clock: Clock, log: HandlerLog = new RecordingLog()): { readonly sink: MetricSink; readonly lines: string[] } {
  const lines: string[] = [];
  const real = emfMetrics(clock, log);
  const sink: MetricSink = (dimensions, values) => {
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk).trim());
      return true;
    });
    try {
      real(dimensions, values);
    } finally {
      spy.mockRestore();
    }
  };
  return { sink, lines };
}
