import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'node-sql-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '#config/schema.ts';
import { configViews } from '#core/detect/config-views.ts';
import { countryCodes, countryCodesView, idpSigninsView, type IdentitySource } from '#core/detect/identity-view.ts';
import { DuckDbQueryEngine } from '#local/adapters/duckdb-query-engine.ts';
import { localViews } from '#local/pipeline/local-tables.ts';
import { IDENTITY_FILE_SOURCE } from '#local/scenario/identity.ts';

// The identity input as the detections see it: the view idp_signins over the configured table, read through its
// column mapping, in DuckDB over the local file as the CLI opens it.
const dirs: string[] = [];
const engines: DuckDbQueryEngine[] = [];

afterAll(() => {
  for (const e of engines) e.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BASE = { internalDomains: [], watchedUsers: [], minClientVersion: '6.0.0', sensitiveMeetingPatterns: [], supportNames: [] };

/** idp_signins over `file` (written from `content`, or absent) with the `identity` mapping, ordered by time then email. */
async function signIns(identity: IdentitySource | undefined, file?: { name: string; content: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-identity-'));
  dirs.push(dir);
  const localFile = file ? join(dir, file.name) : undefined;
  if (file && localFile) writeFileSync(localFile, file.content);
  const config = { ...BASE, ...(identity ? { identity: { ...identity, localFile: localFile ?? join(dir, 'missing.ndjson') } } : {}) };
  const engine = await DuckDbQueryEngine.open({ lakeDir: dir, views: localViews(config, []) });
  engines.push(engine);
  const result = await engine.query(
    "SELECT user_email, strftime(event_time, '%Y-%m-%dT%H:%M:%S.%g') AS at, ip_address, country, succeeded, outcome, session_id, provider " +
      'FROM idp_signins ORDER BY event_time, user_email',
  );
  return result.rows;
}

const ndjson = (rows: readonly Record<string, unknown>[]) => ({
  name: 'signins.ndjson',
  content: rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
});

describe('idp_signins', () => {
  it('maps the columns, lower-cases the email, reads times with any offset as UTC and normalises countries', async () => {
    const rows = await signIns(
      IDENTITY_FILE_SOURCE,
      ndjson([
        {
          email: ' Dana.Reyes@ACME.example ',
          time: '2026-11-20T09:00:00.250+02:00',
          ip: '203.0.113.10',
          country: 'United States',
          outcome: 'SUCCESS',
          session_id: 's1',
          provider: 'okta',
        },
        {
          email: 'erin@acme.example',
          time: '2026-11-20T08:00:00Z',
          ip: '2001:db8::1',
          country: 'de',
          outcome: 'FAILURE',
          session_id: 's2',
          provider: 'okta',
        },
        { email: 'frank@acme.example', time: '2026-11-20 10:00:00', ip: ' 198.51.100.7 ', country: 'Atlantis', outcome: 'success' },
      ]),
    );
    expect(rows).toEqual([
      {
        user_email: 'dana.reyes@acme.example',
        at: '2026-11-20T07:00:00.250',
        ip_address: '203.0.113.10',
        country: 'US',
        succeeded: true,
        outcome: 'SUCCESS',
        session_id: 's1',
        provider: 'okta',
      },
      {
        user_email: 'erin@acme.example',
        at: '2026-11-20T08:00:00.000',
        ip_address: '2001:db8::1',
        country: 'DE',
        succeeded: false,
        outcome: 'FAILURE',
        session_id: 's2',
        provider: 'okta',
      },
      // An unknown country is NULL, never compared; a missing key is NULL too.
      {
        user_email: 'frank@acme.example',
        at: '2026-11-20T10:00:00.000',
        ip_address: '198.51.100.7',
        country: null,
        succeeded: true,
        outcome: 'success',
        session_id: null,
        provider: null,
      },
    ]);
  });

  it("reads Entra's numeric error code and CloudTrail's ARN, with success values from the config", async () => {
    const entra = await signIns(
      {
        table: 'entra_signins',
        userColumn: 'user_principal_name',
        timeColumn: 'created_date_time',
        ipColumn: 'ip_address',
        countryColumn: 'country_or_region',
        outcomeColumn: 'error_code',
      },
      ndjson([
        {
          user_principal_name: 'Gina@acme.example',
          created_date_time: '2026-11-20T07:00:00Z',
          ip_address: '198.51.100.1',
          country_or_region: 'GB',
          error_code: 0,
        },
        {
          user_principal_name: 'gina@acme.example',
          created_date_time: '2026-11-20T07:01:00Z',
          ip_address: '198.51.100.1',
          country_or_region: 'GB',
          error_code: 50126,
        },
      ]),
    );
    expect(entra.map((r) => [r.user_email, r.country, r.succeeded])).toEqual([
      ['gina@acme.example', 'GB', true],
      ['gina@acme.example', 'GB', false],
    ]);
    const cloudtrail = await signIns(
      {
        table: 'console_logins',
        userColumn: 'user_arn',
        timeColumn: 'event_time',
        ipColumn: 'source_ip_address',
        outcomeColumn: 'console_login',
        successValues: ['Success'],
      },
      ndjson([
        {
          user_arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/Hal.Berg@acme.example',
          event_time: '2026-11-20T07:00:00Z',
          source_ip_address: '198.51.100.2',
          console_login: 'Success',
        },
        {
          user_arn: 'AROAEXAMPLEID:hal.berg@acme.example',
          event_time: '2026-11-20T07:05:00Z',
          source_ip_address: '198.51.100.2',
          console_login: 'Failure',
        },
      ]),
    );
    expect(cloudtrail.map((r) => [r.user_email, r.country, r.succeeded])).toEqual([
      ['hal.berg@acme.example', null, true],
      ['hal.berg@acme.example', null, false],
    ]);
  });

  it('reads CSV and counts every row as a success when no outcome column is mapped', async () => {
    const rows = await signIns(
      { table: 'signins_csv', userColumn: 'login', timeColumn: 'ts', ipColumn: 'ip' },
      { name: 'signins.csv', content: 'login,ts,ip\nivan@acme.example,2026-11-20T07:00:00Z,203.0.113.9\n' },
    );
    expect(rows).toEqual([
      {
        user_email: 'ivan@acme.example',
        at: '2026-11-20T07:00:00.000',
        ip_address: '203.0.113.9',
        country: null,
        succeeded: true,
        outcome: null,
        session_id: null,
        provider: null,
      },
    ]);
  });

  it('has no rows when the identity input is configured but its file is missing or empty', async () => {
    expect(await signIns(IDENTITY_FILE_SOURCE)).toEqual([]);
    expect(await signIns(IDENTITY_FILE_SOURCE, { name: 'signins.ndjson', content: '\n' })).toEqual([]);
  });

  it('has no rows, with the same columns, when no identity input is configured', async () => {
    expect(await signIns(undefined)).toEqual([]);
    expect(idpSigninsView(undefined).columns).toEqual(idpSigninsView(IDENTITY_FILE_SOURCE).columns);
  });

  it('refuses an identifier that is not a lower-case SQL identifier', () => {
    expect(() => idpSigninsView({ ...IDENTITY_FILE_SOURCE, ipColumn: 'ip"; DROP TABLE x; --' })).toThrow(/identity\.ipColumn/);
    expect(() => idpSigninsView({ ...IDENTITY_FILE_SOURCE, table: 'Signins' })).toThrow(/identity\.table/);
  });

  it('parses as Trino SQL, configured or not, as does country_codes', () => {
    const parser = new pkg.Parser();
    for (const view of [idpSigninsView(IDENTITY_FILE_SOURCE), idpSigninsView(undefined), countryCodesView()]) {
      expect(() => parser.astify(view.sql, { database: 'trino' })).not.toThrow();
    }
  });
});

describe('country_codes', () => {
  const codes = countryCodes();

  it.each([
    ['UNITED STATES', 'US'],
    ['US', 'US'],
    ['UNITED KINGDOM', 'GB'],
    ['UK', 'GB'],
    ['RUSSIA', 'RU'],
    ['RUSSIAN FEDERATION', 'RU'],
    ['CZECHIA', 'CZ'],
    ['CZECH REPUBLIC', 'CZ'],
    ['TÜRKIYE', 'TR'],
    ['TURKIYE', 'TR'],
    ['TURKEY', 'TR'],
    ['HONG KONG', 'HK'],
    ['SOUTH KOREA', 'KR'],
    ['KOREA, REPUBLIC OF', 'KR'],
    ['CÔTE D’IVOIRE', 'CI'],
    ["COTE D'IVOIRE", 'CI'],
    ['BOSNIA AND HERZEGOVINA', 'BA'],
    ['SAINT LUCIA', 'LC'],
    ['MYANMAR', 'MM'],
  ])('maps %s to %s', (name, code) => {
    expect(codes.get(name)).toBe(code);
  });

  it('leaves out regions that are not countries and withdrawn codes', () => {
    for (const name of ['EU', 'EUROPEAN UNION', 'UN', 'ZZ', 'DD', 'SU', 'YU']) expect(codes.has(name)).toBe(false);
  });

  it('is a view in the config views, before idp_signins which joins it', () => {
    const names = configViews(BASE, []).map((v) => v.name);
    expect(names.indexOf('country_codes')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('country_codes')).toBeLessThan(names.indexOf('idp_signins'));
  });
});

describe('the identity config', () => {
  const identity = { table: 'okta_signins', userColumn: 'actor_alternate_id', timeColumn: 'published', ipColumn: 'client_ip_address' };

  it('fills in the defaults', () => {
    expect(configSchema.parse({ identity }).identity).toEqual({ ...identity, successValues: ['SUCCESS', '0'], createTable: false, baseTables: [] });
    expect(configSchema.parse({}).identity).toBeUndefined();
  });

  it.each([
    [{ ...identity, table: 'activities' }, /identity\.table.*zoomlake table or view/],
    [{ ...identity, table: 'idp_signins' }, /identity\.table.*zoomlake table or view/],
    [{ ...identity, table: 'activities_raw' }, /identity\.table.*zoomlake table or view/],
    [{ ...identity, createTable: true }, /identity\.s3Location.*createTable/],
    [{ ...identity, userColumn: 'actor.alternateId' }, /identity\.userColumn/],
    [{ ...identity, baseTables: ['Okta Raw'] }, /identity\.baseTables/],
    [{ ...identity, s3Location: 's3://bucket/prefix' }, /identity\.s3Location/],
  ])('refuses %j', (bad, message) => {
    const result = configSchema.safeParse({ identity: bad });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? '';
    expect(issues).toMatch(message);
  });
});
