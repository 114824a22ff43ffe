import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '#config/schema.ts';
import { configViews } from '#core/detect/config-views.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { collectReportData } from '#local/report/queries.ts';
import { REGISTRY } from '../support/registry.ts';
import { HOSTILE_NAME, REPORT_LAKE, REPORT_LAKE_CONFIG } from '../support/report-lake.ts';
import { writeFixtureLake } from '../support/detection-fixtures.ts';

// The report's SQL on DuckDB over the report lake, through the Trino compatibility layer and the config views.

const dir = mkdtempSync(join(tmpdir(), 'zoomlake-report-sql-'));
let engine: DuckDbQueryEngine;
const context = { generatedAt: '2026-11-22T00:00:00.000Z', dir, internalDomains: REPORT_LAKE_CONFIG.internalDomains, minClientVersion: '6.0.0' };

beforeAll(async () => {
  await writeFixtureLake(dir, REPORT_LAKE);
  engine = await DuckDbQueryEngine.open({ lakeDir: dir, views: configViews(configSchema.parse(REPORT_LAKE_CONFIG), REGISTRY.detections) });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('collectReportData', () => {
  it('spans the data from the first join or meeting to the last alert, and counts people by kind', async () => {
    const data = await collectReportData(engine, context);
    expect(data.summary).toEqual({
      meetings: 3,
      people: 7,
      internalPeople: 5,
      externalPeople: 2,
      alerts: 3,
      from: '2026-11-20T09:00:00.000Z',
      to: '2026-11-21T10:06:00.000Z',
    });
  });

  it('parses alert entities and keeps the alerts in time order', async () => {
    const data = await collectReportData(engine, context);
    expect(data.alerts.map((a) => [a.severity, a.firstSeen, a.entities])).toEqual([
      ['low', '2026-11-20T09:01:00.000Z', { user_email: 'dave@acme.example', device: 'Windows' }],
      ['medium', '2026-11-20T14:02:00.000Z', { user_email: 'carol@partner.example', meeting_id: '222' }],
      ['high', '2026-11-21T10:05:00.000Z', { user_name: HOSTILE_NAME, meeting_id: '333' }],
    ]);
  });

  it.each([
    [25, 10],
    [3, 4],
    [2, 1],
  ])('links people in meetings of at most %i people: %i links', async (maxMeetingSizeForEdges, links) => {
    const data = await collectReportData(engine, { ...context, maxMeetingSizeForEdges });
    expect(data.graph.edges).toHaveLength(links);
    expect(data.graph.nodes).toHaveLength(7);
  });

  it("counts each person's meetings, hosts included, emails folded to lower case", async () => {
    const data = await collectReportData(engine, context);
    expect(Object.fromEntries(data.graph.nodes.map((n) => [n.id, [n.kind, n.meetings]]))).toEqual({
      'alice@acme.example': ['internal', 2],
      'bob@acme.example': ['internal', 2],
      'ceo@acme.example': ['internal', 1],
      'dave@acme.example': ['internal', 1],
      'eve@acme.example': ['internal', 1],
      'carol@partner.example': ['external', 1],
      [`guest: ${HOSTILE_NAME}`]: ['guest', 1],
    });
  });
});
