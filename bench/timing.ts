/**
 * Wall-clock and CPU time of a stretch of work. The bench machine is shared, so wall time swings with other load;
 * the process's CPU time (its own threads, GC included) swings much less, and figures carry both.
 */
export interface Lap {
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** CPU seconds of this process (user + system, every thread). */
  readonly cpuSeconds: number;
}

/** Starts timing; the returned function gives the lap since the start. */
export function stopwatch(): () => Lap {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

/** The sum of laps. */
export const addLaps = (a: Lap, b: Lap): Lap => ({ seconds: a.seconds + b.seconds, cpuSeconds: a.cpuSeconds + b.cpuSeconds });
