import * as z from 'zod/mini';
import { alertSchema } from '../../alerts/alert.ts';
import type { AlertDelivery } from '../../ports.ts';
import { ZoomlakeError } from '../../errors.ts';
import type { CorrelateOutput, RaiseAlertsOutput } from '../contract.ts';

const alertsSchema = z.array(alertSchema);

/** RaiseAlerts: Correlate's alerts (plain JSON from the state) validated and handed to delivery (suppression, table, bus). */
export async function raiseAlerts(deps: { readonly delivery: AlertDelivery }, input: CorrelateOutput): Promise<RaiseAlertsOutput> {
  const parsed = alertsSchema.safeParse(input.alerts);
  if (!parsed.success) {
    throw new ZoomlakeError(
      `raise alerts: the alerts are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      false,
    );
  }
  if (parsed.data.length === 0) return { notified: 0, suppressed: 0 };
  const results = await deps.delivery.deliver(parsed.data);
  const notified = results.filter((r) => r.outcome === 'notified').length;
  return { notified, suppressed: results.length - notified };
}
