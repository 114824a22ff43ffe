import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configViews } from '#core/detect/config-views.ts';
import { compileTopicPattern } from '#core/patterns/matcher.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { PORTABLE, TOPICS } from '../support/sensitive-patterns.ts';

// The detections read the patterns through the sensitive_meeting_patterns view with regexp_like (RE2 in DuckDB);
// the realtime checks and the pollers through re2js. An accepted pattern must mean the same in both.
let engine: DuckDbQueryEngine;

beforeAll(async () => {
  const views = configViews(
    { internalDomains: [], watchedUsers: [], minClientVersion: '6.0.0', supportNames: [], sensitiveMeetingPatterns: PORTABLE },
    [],
  );
  engine = await DuckDbQueryEngine.open({ lakeDir: mkdtempSync(join(tmpdir(), 'zoomlake-patterns-')), views });
});

afterAll(async () => {
  await engine.close();
});

describe('sensitive patterns in DuckDB (RE2) and in real time', () => {
  it.each(TOPICS)('flag the same patterns for the topic %j', async (topic) => {
    const result = await engine.query('SELECT p.pattern FROM sensitive_meeting_patterns p WHERE regexp_like(?, p.pattern) ORDER BY p.pattern', [
      topic,
    ]);
    const inSql = result.rows.map((r) => String(r.pattern).replace(/^\(\?i\)/, '')).sort();
    const inRealTime = [...new Set(PORTABLE)].filter((p) => compileTopicPattern(p).test(topic)).sort();
    expect(inSql).toEqual(inRealTime);
  });

  // Where JavaScript's iu flags differ from RE2 (\w folds in the long s and the Kelvin sign), real time sides with DuckDB.
  it.each([
    ['\\bstrategy', 'ſtrategy'],
    ['\\Bstrategy', 'xſtrategy'],
    ['test\\b', 'test\u212a'],
  ])('agree on %s for %j, where JavaScript does not', async (pattern, topic) => {
    const result = await engine.query("SELECT regexp_like(?, '(?i)' || ?) AS hit", [topic, pattern]);
    const inSql = result.rows[0]?.hit;
    expect(typeof inSql).toBe('boolean');
    expect(compileTopicPattern(pattern).test(topic)).toBe(inSql);
    expect(new RegExp(pattern, 'iu').test(topic)).toBe(!inSql);
  });
});
