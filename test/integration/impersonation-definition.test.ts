import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configViews } from '#core/detect/config-views.ts';
import {
  compileSupportNames,
  DEFAULT_SUPPORT_NAMES,
  domainSkeleton,
  domainSkeletonSql,
  lookalikeKeys,
  supportPhrase,
  supportPhraseSql,
} from '#core/realtime/impersonation.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { loadRegistry } from '../../lib/detections/load.ts';

/*
 * zoomlake's one definition of posing as support (lambdas/core/realtime/impersonation.ts): the realtime check folds
 * names and domains in TypeScript, the scheduled query in SQL (supportPhraseSql, domainSkeletonSql) against the
 * support_names and lookalike_domains views. Both must fold every name and domain alike, the views must hold what the
 * TypeScript compares with, and the query must embed these very expressions.
 */

const NAMES = [
  'Zoom',
  'ZOOM',
  'Z00m  Support (guest)',
  'Zооm Ѕupport',
  'IТ Ѕupport',
  'lT Support',
  '1T Helpdesk',
  'HeIp Desk',
  '$upport Team',
  'Zoorn Security',
  'Mark - IT Service Desk',
  'External - Zoom',
  'Zoom Room 4B',
  'Zoom Rooms - Boardroom',
  'Zoe Oom',
  'Zoomer',
  'Itzel Support',
  'Dana Lee | Customer Success, Northwind',
  '+1 408 555 0100',
  'Ｚｏｏｍ Ｈｅｌｐ',
  'Ålice Ändérs',
  'e\u0301mile Zola',
  '李 小龍',
  '',
  '   ',
  '(guest)',
];

const DOMAINS = [
  'acme.example',
  'ACME.Example',
  'acrne.example',
  'аcme.example',
  'acme-example.com',
  'acme.example.com',
  'ac-me.co.uk',
  'acme.co.uk',
  'acme.com.au',
  'acme-sso.com',
  'sso.acme-login.com',
  'okta-acme.com',
  'examp1e.com',
  'gloablpay.example',
  'globalpey.example',
  'vvonka.com',
  'localhost',
  'xn--cme-7cd.example',
  '',
];

let engine: DuckDbQueryEngine;
beforeAll(async () => {
  const views = configViews(
    {
      internalDomains: ['acme.example', 'globalpay.example'],
      sensitiveMeetingPatterns: [],
      watchedUsers: [],
      minClientVersion: '6.0.0',
      supportNames: ['Zoom', 'IT Support', "O'Brien Desk"],
    },
    [],
  );
  engine = await DuckDbQueryEngine.open({ lakeDir: '/nonexistent-zoomlake-lake', views });
});
afterAll(() => engine.close());

const values = (items: readonly string[]) => items.map((n, i) => `(${i}, '${n.replaceAll("'", "''")}')`).join(', ');

describe('the support impersonation definition', () => {
  it('folds display names the same in TypeScript and in SQL (DuckDB)', async () => {
    const { rows } = await engine.query(`SELECT i, ${supportPhraseSql('n')} AS p FROM (VALUES ${values(NAMES)}) AS t (i, n) ORDER BY i`);
    expect(rows.map((r) => r.p)).toEqual(NAMES.map(supportPhrase));
  });

  it('folds domains the same in TypeScript and in SQL (DuckDB)', async () => {
    const { rows } = await engine.query(`SELECT i, ${domainSkeletonSql('d')} AS s FROM (VALUES ${values(DOMAINS)}) AS t (i, d) ORDER BY i`);
    expect(rows.map((r) => r.s)).toEqual(DOMAINS.map(domainSkeleton));
  });

  it('gives the SQL the support names and look-alike keys the TypeScript compares with', async () => {
    const names = (await engine.query('SELECT name, phrase, words FROM support_names ORDER BY name')).rows;
    expect(names).toEqual(
      compileSupportNames(['Zoom', 'IT Support', "O'Brien Desk"])
        .map((s) => ({ name: s.name, phrase: s.phrase, words: s.words }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    const keys = (await engine.query('SELECT domain, kind, key FROM lookalike_domains')).rows;
    expect(new Set(keys.map((k) => JSON.stringify(k)))).toEqual(
      new Set(lookalikeKeys(['acme.example', 'globalpay.example']).map((k) => JSON.stringify({ domain: k.domain, kind: k.kind, key: k.key }))),
    );
  });

  it('folds every default support name to letters', () => {
    expect(compileSupportNames(DEFAULT_SUPPORT_NAMES)).toHaveLength(DEFAULT_SUPPORT_NAMES.length);
  });

  it('is the definition the scheduled queries embed', () => {
    const registry = loadRegistry();
    const sql = registry.get('zoom.participant.impersonates_support').sql ?? '';
    expect(sql).toContain(supportPhraseSql('o.user_name'));
    expect(sql).toContain(domainSkeletonSql('o.email_domain'));
    expect(registry.get('zoom.participant.remote_control_to_outsider').sql ?? '').toContain(supportPhraseSql('t'));
  });
});
