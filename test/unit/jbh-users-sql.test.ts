import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/*
 * Joins before the host (participant_jbh_joined / _jbh_waiting) carry no email: the detections that count them name a
 * signed-in participant by Zoom user id through one CTE, jbh_users, copied into each query (a query pastes into the
 * Athena console unchanged, so there is no shared SQL). The copies must stay one definition.
 */

const DIR = 'queries/detections';
const queries = readdirSync(DIR)
  .filter((id) => existsSync(join(DIR, id, 'query.sql')))
  .map((id) => ({ id, sql: readFileSync(join(DIR, id, 'query.sql'), 'utf8'), yml: readFileSync(join(DIR, id, 'detection.yml'), 'utf8') }))
  .filter((q) => q.sql.includes('jbh_users AS ('));
const cte = (sql: string) => {
  const start = sql.lastIndexOf('\n--', sql.indexOf('jbh_users AS ('));
  return sql.slice(start, sql.indexOf('\n),\n', start) + 4);
};

describe('jbh_users: the one way the scheduled queries name a participant who joined before the host', () => {
  it('is used by the detections that count joins before the host by email', () => {
    expect(queries.map((q) => q.id).sort()).toEqual([
      'zoom.meeting.direct_link_access',
      'zoom.participant.external_in_sensitive_meeting',
      'zoom.participant.guest_impersonates_internal',
      'zoom.recording.deleted_after_external_meeting',
    ]);
  });

  it.each(queries.map((q) => [q.id, q] as const))('%s holds the same copy, and declares the tables it reads', (_id, q) => {
    expect(cte(q.sql)).toBe(cte(queries[0]!.sql));
    expect(cte(q.sql)).toContain('FROM users u');
    expect((parse(q.yml) as { tables: string[] }).tables).toEqual(expect.arrayContaining(['users', 'user_events']));
  });
});
