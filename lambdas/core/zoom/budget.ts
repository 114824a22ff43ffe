import { dtOf } from '../lake/records.ts';
import type { StateStore } from '../ports.ts';

const DAY_MS = 86_400_000;

/**
 * A daily call budget shared by every process polling one Zoom account. Zoom counts its daily limits per account,
 * and a Lambda runs many processes, so a per-process counter would let each of them spend the whole share.
 */
export interface ZoomSharedBudget {
  /**
   * Takes one call from `bucket` (e.g. `Heavy+ResourceIntensive`) for the UTC day of `nowMs`. Resolves false, taking
   * nothing, when `allowed` calls were already taken that day by anyone sharing the budget.
   */
  take(bucket: string, allowed: number, nowMs: number): Promise<boolean>;
}

/** The state item counting one bucket's calls on one UTC day. */
export const budgetKey = (bucket: string, day: string) => ({ pk: `zoom-budget#${day}`, sk: bucket });

/**
 * The shared budget as an atomic StateStore counter per UTC day (DynamoDB in AWS, the state file locally). A call is
 * granted only when its own increment leaves the counter at or under `allowed`; a refused increment is given back.
 * Every granted increment stays, so however many processes race, at most `allowed` calls are ever granted a day.
 * The counter expires a day after its day ends.
 */
export class StateStoreBudget implements ZoomSharedBudget {
  constructor(private readonly state: StateStore) {}

  async take(bucket: string, allowed: number, nowMs: number): Promise<boolean> {
    if (allowed <= 0) return false;
    const { pk, sk } = budgetKey(bucket, dtOf(nowMs));
    const expiresAt = Math.ceil(((Math.floor(nowMs / DAY_MS) + 2) * DAY_MS) / 1000);
    const used = await this.state.add(pk, sk, 'used', 1, { expiresAt });
    if (used <= allowed) return true;
    await this.state.add(pk, sk, 'used', -1, { expiresAt });
    return false;
  }

  /** Calls taken from `bucket` on the UTC day of `nowMs` (refusals in flight may show for a moment). */
  async used(bucket: string, nowMs: number): Promise<number> {
    const { pk, sk } = budgetKey(bucket, dtOf(nowMs));
    const used = (await this.state.get(pk, sk))?.attrs.used;
    return typeof used === 'number' ? used : 0;
  }
}
