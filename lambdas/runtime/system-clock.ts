import type { Clock } from '#core/ports.ts';

/** The machine's wall clock, for Lambda and the CLI. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
