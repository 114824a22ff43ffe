import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configViews } from '#core/detect/config-views.ts';
import { compileTopicPattern } from '#core/patterns/matcher.ts';
import { DuckDbQueryEngine } from '#local/duckdb-query-engine.ts';
import { PORTABLE, TOPICS } from '../support/sensitive-patterns.ts';

// The detections read the patterns through the sensitive_meeting_patterns view with regexp_like (RE2 in DuckDB);
// the realtime checks and the pollers through the linear-time matcher. An accepted pattern must mean the same in both.
let engine: DuckDbQueryEngine;

beforeAll(async () => {
  const views = configViews({ internalDomains: [], watchedUsers: [], minClientVersion: '6.0.0', sensitiveMeetingPatterns: PORTABLE }, []);
  engine = await DuckDbQueryEngine.open({ lakeDir: mkdtempSync(join(tmpdir(), 'zoomlake-patterns-')), views });
});

afterAll(async () => {
  await engine.close();
});

describe('sensitive patterns in DuckDB (RE2) and in real time', () => {
  it.each(TOPICS)('flag the same patterns for the topic %j', async (topic) => {
    const result = await engine.query('SELECT p.pattern FROM sensitive_meeting_patterns p WHERE regexp_like(?, p.pattern) ORDER BY p.pattern', [topic]);
    const inSql = result.rows.map((r) => String(r.pattern).replace(/^\(\?i\)/, '')).sort();
    const inRealTime = [...new Set(PORTABLE)].filter((p) => compileTopicPattern(p).test(topic)).sort();
    expect(inSql).toEqual(inRealTime);
  });
});
