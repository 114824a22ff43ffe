import { MIN_MS } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import type { PlantKit } from './kit.ts';

/*
 * Incidents the post-meeting correlation finds: a host reading pricing files after a customer call, and a meeting
 * whose participant report Zoom never produces.
 */

/** 22. After a customer call, its host opens the pricing files (data-access feed, within 30 minutes). */
export function dataAccessAfterCustomerCall(k: PlantKit): void {
  const { people, before, out, pick, plant, incident } = k;
  const host = pick((e) => e.dept === 'Sales');
  const customer = people.customers[0]!;
  const m = plant(`Customer call - ${customer.name} renewal`, host, before(5), 45, customer.contacts.slice(0, 2));
  const at = m.end + 12 * MIN_MS;
  out.dataAccess.push({
    principal: `arn:aws:sts::111122223333:assumed-role/Staff/${host.email}`,
    event_time: iso(at),
    object_key: 's3://finance-reports/pricing/2026-discount-matrix.xlsx',
  });
  incident({
    id: 'host-data-access-after-customer-call',
    detection: 'zoom.correlation.host_data_access_after_external_meeting',
    paths: ['correlation'],
    time: iso(at),
    summary: `${host.email} reads the discount matrix 12 minutes after "${m.topic}" with ${customer.name}`,
    match: { host_email: host.email, meeting_uuid: m.uuid },
    related: [m.uuid],
  });
}

/**
 * 23. A meeting whose participant report Zoom never produces (it ended, but the report API keeps saying "does not
 * exist"). A board meeting: the correlation runs only for meetings one of its detections needs (a sensitive topic is
 * one, lambdas/core/correlate/need.ts), and only a correlated meeting can find its report missing.
 */
export function reportNeverReady(k: PlantKit): void {
  const { before, pick, plant, incident, colleagues } = k;
  const host = pick();
  const m = plant('Board escalation', host, before(2, 10), 35, colleagues(host, 1));
  m.inApi = false;
  incident({
    id: 'report-never-ready',
    detection: 'zoom.correlation.participants_unavailable',
    paths: ['correlation'],
    time: iso(m.end),
    summary: `"${m.topic}" ended but Zoom's participant report never became ready`,
    match: { meeting_uuid: m.uuid },
    related: [m.uuid],
  });
}
