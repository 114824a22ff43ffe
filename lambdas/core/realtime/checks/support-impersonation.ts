import type { Alert } from '../../alerts/alert.ts';
import { parameter } from '../../detect/detection.ts';
import { REALTIME_IDS as ID, realtimeAlert, type EvidenceRow } from '../catalog.ts';
import { lookalikesOf, supportNamesClaimed } from '../impersonation.ts';
import type { CheckContext } from './context.ts';

/**
 * zoom.participant.impersonates_support for one outside join (the caller decides who is outside, as for
 * guest_impersonates_internal): the support names its display name claims and the internal domains its email's
 * domain looks like (lambdas/core/realtime/impersonation.ts, the scheduled query's definition).
 */
export function impersonatesSupport(base: EvidenceRow, userName: string | null, email: string | null, at: number, ctx: CheckContext): Alert[] {
  const d = ctx.registry.get(ID.impersonatesSupport);
  const claimed = userName === null ? [] : supportNamesClaimed(userName, ctx.settings.supportNames);
  const sep = email?.lastIndexOf('@') ?? -1;
  const rules = { fuzzyMinLetters: parameter(d, 'fuzzy_min_letters'), maxEdits: parameter(d, 'max_edits') };
  const looks = email !== null && sep > 0 ? lookalikesOf(email.slice(sep + 1), ctx.settings.lookalikeKeys, ctx.settings.internalDomains, rules) : [];
  if (claimed.length === 0 && looks.length === 0) return [];
  const row: EvidenceRow = {
    ...base,
    claimed_names: claimed.length > 0 ? [...claimed].sort().join(', ') : null,
    lookalike_of: looks.length > 0 ? [...new Set(looks.map((l) => l.domain))].join(', ') : null,
    lookalike: looks.length > 0 ? [...new Set(looks.map((l) => l.kind))].sort().join(', ') : null,
  };
  return [realtimeAlert(d, row, at)];
}
