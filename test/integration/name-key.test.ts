import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameKey, nameKeySql } from '#core/realtime/names.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { loadRegistry } from '../../lib/detections/load.ts';

/*
 * zoomlake's one name folding (lambdas/core/realtime/names.ts): the TypeScript nameKey the realtime directory and
 * the correlation use, and nameKeySql, which the scheduled SQL and the correlation's names query embed, must fold
 * every name the same way, and the SQL copies in queries/ must be nameKeySql's.
 */

/** Names as people type them: accents, look-alike letters, order, spacing, punctuation, noise words, scripts. */
const CORPUS = [
  'Alice Anders',
  'ALICE  ANDERS (Guest)',
  'Anders, Alice',
  'alice.anders',
  'Ålice Ändérs',
  'Аlice Аnders',
  'Alice Anders [iPhone]',
  'External - Alice Anders',
  'visitor alice anders',
  'Zoë Ñúñez',
  'José García-López',
  "Seán O'Brien",
  'Ŕobert Ǹame',
  'İstanbul Kılıç',
  'Łukasz Ðorđe',
  'Ørsted Straße',
  'Ｂｏｂ Ｂｒｏｗｎ',
  'e\u0301mile Zola',
  'Jordan Blackwood',
  'JORDAN BLACKWOOD',
  'Jordan Blackwod',
  'Blackwood, Jordan',
  'Jοrdan Blackwοοd',
  'Ivan Иванов',
  '李 小龍',
  'محمد علي',
  'Nguyễn Văn An',
  'Dvořák Antonín',
  'Þór Ægisson',
  '',
  '   ',
  '(guest)',
  'ext',
  'a b',
  'Al Bo',
  'Mary-Jane  Watson-Parker',
  'catherine\tzeta',
  '🙂 Smiley Face',
  'Chloë 🙂',
];

let engine: DuckDbQueryEngine;
beforeAll(async () => {
  engine = await DuckDbQueryEngine.open({ lakeDir: '/nonexistent-zoomlake-lake', views: [] });
});
afterAll(() => engine.close());

describe('the name key', () => {
  it('is the same in TypeScript and in SQL (DuckDB) for every name of the corpus', async () => {
    const values = CORPUS.map((n, i) => `(${i}, '${n.replaceAll("'", "''")}')`).join(', ');
    const { rows } = await engine.query(`SELECT i, ${nameKeySql('n')} AS k FROM (VALUES ${values}) AS t (i, n) ORDER BY i`);
    expect(rows.map((r) => r.k)).toEqual(CORPUS.map(nameKey));
  });

  it('folds what impersonators vary and keeps what tells people apart', () => {
    const same = ['Alice Anders', 'ALICE  ANDERS (Guest)', 'Anders, Alice', 'Ålice Ändérs', 'Аlice Аnders', 'External - Alice Anders'];
    expect(new Set(same.map(nameKey))).toEqual(new Set(['aliceanders']));
    expect(nameKey('Jοrdan Blackwοοd')).toBe(nameKey('Jordan Blackwood')); // Greek omicrons
    expect(nameKey('Alice Andres')).not.toBe(nameKey('Alice Anders'));
  });

  it('is the expression the SQL in queries/ embeds', () => {
    const registry = loadRegistry();
    const impersonation = registry.get('zoom.participant.guest_impersonates_internal').sql ?? '';
    expect(impersonation).toContain(nameKeySql('pm.user_name'));
    expect(impersonation).toContain(nameKeySql('i.name'));
    expect(registry.query('exposure-names')).toContain(nameKeySql('n.name'));
  });
});
