import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '#local/cli/demo.ts';

/*
 * Precision sweep: the demo over several seeds and scenario ends (weekday and weekend hours, so the one-day
 * detections see working days), benign-only and with planted incidents. Prints one JSON line per run with the
 * alerts on benign traffic by detection and pattern, and the planted incidents missed; exits 1 if any benign run
 * raised an alert or any planted run missed an incident. `npm run demo:sweep -- [seeds] [ends]`, e.g.
 * `npm run demo:sweep -- 1,2,3,4,5 2026-12-06T02:00:00Z,2026-12-08T15:00:00Z`.
 */

const seeds = (process.argv[2] ?? '1,2,3,4,5').split(',').map(Number);
const ends = (process.argv[3] ?? '2026-12-06T02:00:00Z,2026-12-08T15:00:00Z,2026-12-11T22:00:00Z').split(',').map((e) => Date.parse(e));
let failed = false;
for (const end of ends) {
  for (const [benign, runSeeds] of [
    [true, seeds],
    [false, seeds.slice(0, 1)],
  ] as const) {
    for (const seed of runSeeds) {
      const dir = mkdtempSync(join(tmpdir(), 'zoomlake-sweep-'));
      let out = '';
      try {
        const code = await runDemo(
          {
            out: (t) => {
              out += t;
            },
            err: (t) => process.stderr.write(t),
          },
          { dir, users: 200, days: 14, seed, benign, json: true, end },
        );
        const s = JSON.parse(out) as {
          score: { planted: number; found: number; benign_alerts: number };
          detections: Record<string, { benign_alerts: number; benign_by_pattern?: Record<string, number>; missed: string[] }>;
        };
        const noisy = Object.fromEntries(
          Object.entries(s.detections)
            .filter(([, d]) => d.benign_alerts > 0)
            .map(([id, d]) => [id, d.benign_by_pattern ?? d.benign_alerts]),
        );
        const missed = Object.values(s.detections).flatMap((d) => d.missed);
        if (code !== 0 || s.score.benign_alerts > 0 || missed.length > 0) failed = true;
        console.log(
          JSON.stringify({
            seed,
            benign,
            end: new Date(end).toISOString(),
            code,
            planted: s.score.planted,
            found: s.score.found,
            benign_alerts: s.score.benign_alerts,
            noisy,
            missed,
          }),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}
process.exit(failed ? 1 : 0);
