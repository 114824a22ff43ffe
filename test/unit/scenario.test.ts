import { describe, expect, it } from 'vitest';
import { CORRELATION_DETECTIONS } from '#core/correlate/contract.ts';
import { REALTIME_DETECTIONS } from '#core/realtime/catalog.ts';
import { generateScenario, MIN_DAYS, MIN_USERS, type ScenarioOptions } from '#local/scenario/scenario.ts';
import { loadDetections } from '../../lib/detections/load.ts';

/*
 * The demo's scenario generator on its own (test/e2e/demo.test.ts runs it through the pipeline): deterministic per
 * seed, every detection planted whatever day and hour the scenario ends, and nothing happening after its end.
 */

const HOUR = 3_600_000;
const BASE: ScenarioOptions = { seed: 3, users: 60, days: 7, end: Date.UTC(2026, 10, 25, 13), benign: false };
const EVERY_DETECTION = [
  ...loadDetections().map((d) => d.id), ...Object.values(REALTIME_DETECTIONS).map((d) => d.id), ...Object.values(CORRELATION_DETECTIONS),
];

describe('generateScenario', () => {
  it('gives the same scenario for the same options and another for another seed', () => {
    const a = generateScenario(BASE);
    expect(JSON.stringify(generateScenario(BASE))).toBe(JSON.stringify(a));
    const other = generateScenario({ ...BASE, seed: 4 });
    expect(other.org.users.map((u) => u.email)).not.toEqual(a.org.users.map((u) => u.email));
  });

  // Weekdays and weekends, early and late hours: the planted incidents need a baseline before the last day.
  it.each([
    ['a Wednesday afternoon', Date.UTC(2026, 10, 25, 13)],
    ['a Monday before dawn', Date.UTC(2026, 10, 30, 2)],
    ['a Saturday morning', Date.UTC(2026, 10, 28, 10)],
    ['a Sunday at midnight', Date.UTC(2026, 10, 29, 0)],
    ['a Friday evening', Date.UTC(2026, 10, 27, 22, 30)],
  ])('plants every detection and nothing after the end, for a scenario ending on %s', (_label, end) => {
    const s = generateScenario({ ...BASE, end });
    const planted = new Set(s.manifest.incidents.map((i) => i.detection));
    expect(EVERY_DETECTION.filter((id) => !planted.has(id))).toEqual([]);
    expect(s.manifest.incidents.every((i) => Object.keys(i.match).length > 0 && Date.parse(i.time) <= end)).toBe(true);

    // Webhooks: in event-time order, inside [webhooks_from, end], and the window always covers the last 24 hours.
    const times = s.webhooks.map((w) => w.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(s.webhooksFrom);
    expect(Math.max(...times)).toBeLessThanOrEqual(end);
    expect(s.webhooksFrom).toBeLessThanOrEqual(end - 24 * HOUR);

    // API data: nothing after the end; every meeting over at least 30 minutes before it, so no correlation has to wait.
    expect(Math.max(...s.org.meetings.map((m) => Date.parse(m.end_time)))).toBeLessThanOrEqual(end - 30 * 60_000);
    expect(Math.max(...s.org.activities.map((a) => Date.parse(a.time)), ...s.org.operationLogs.map((o) => Date.parse(o.time)))).toBeLessThanOrEqual(end);
  });

  it('plants nothing in a benign-only scenario: none of the incidents\' outsiders, IPs or machines appear', () => {
    const planted = generateScenario(BASE);
    const benign = generateScenario({ ...BASE, benign: true });
    expect(benign.manifest.incidents).toEqual([]);
    const markers = planted.manifest.incidents.flatMap((i) => [i.match.ip_address, i.match.user_name, i.match.device]).filter((v): v is string => v !== undefined);
    expect(markers.length).toBeGreaterThan(5);
    const text = JSON.stringify([benign.org, benign.webhooks, benign.dataAccess]);
    expect(markers.filter((m) => text.includes(m))).toEqual([]);
    // The same markers are in the planted scenario's data: the check above can fail.
    const plantedText = JSON.stringify([planted.org, planted.webhooks, planted.dataAccess]);
    expect(markers.filter((m) => !plantedText.includes(m))).toEqual([]);
  });

  it.each([
    [{ users: MIN_USERS - 1 }, /users must be/],
    [{ days: MIN_DAYS - 1 }, /days must be/],
  ])('refuses %j', (change, message) => {
    expect(() => generateScenario({ ...BASE, ...change })).toThrow(message);
  });
});
