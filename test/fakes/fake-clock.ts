import type { Clock } from '#core/ports.ts';

/** A clock that moves only when a test moves it. */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2024, 0, 1)) {}

  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `ms` (negative to go back). */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Sets the clock to `ms` since the epoch. */
  set(ms: number): void {
    this.current = ms;
  }
}
