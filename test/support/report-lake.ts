import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFixtureLake, type Fixture } from './detection-fixtures.ts';

/** A display name and a topic an attacker would choose: the report must show them as text. */
export const HOSTILE_NAME = '<script>document.title="pwned"</script>Mallory';
export const HOSTILE_TOPIC = 'Partner call <img src=x onerror="document.title=\'pwned\'">';

const alert = (id: string, severity: string, detection: string, firstSeen: string, entities: Record<string, string>) => ({
  alert_id: id.padEnd(32, '0'),
  detection_id: detection,
  title: `${detection} fired`,
  severity,
  alert_source: 'scheduled',
  first_seen: firstSeen,
  last_seen: firstSeen,
  dedup_key: id,
  entities_json: entities,
  evidence_json: [],
  mitre: 'T1078',
  runbook: 'look',
});

/**
 * A small organisation (internal domain acme.example) over two days: an internal-only stand-up, a board meeting, and
 * a partner call with an external from partner.example, a guest without email whose display name is hostile and an
 * internal address without a Zoom account;
 * client versions from the users snapshot and the dashboard; three alerts of different severities.
 */
export const REPORT_LAKE: Fixture = {
  description: 'report lake',
  webhooks: [],
  now: '2026-11-21T12:00:00Z',
  rows: {
    meetings: [
      {
        meeting_uuid: 'uuid-standup',
        meeting_id: '111',
        host_id: 'u-bob',
        host_email: 'bob@acme.example',
        topic: 'Stand-up',
        start_time: '2026-11-20T09:00:00Z',
        participants_count: 2,
      },
      {
        meeting_uuid: 'uuid-board',
        meeting_id: '222',
        host_id: 'u-ceo',
        host_email: 'ceo@acme.example',
        topic: 'Board sync',
        start_time: '2026-11-20T14:00:00Z',
        participants_count: 3,
      },
      {
        meeting_uuid: 'uuid-partner',
        meeting_id: '333',
        host_id: 'u-alice',
        host_email: 'alice@acme.example',
        topic: HOSTILE_TOPIC,
        start_time: '2026-11-21T10:00:00Z',
        participants_count: 3,
      },
    ],
    meeting_participants: [
      {
        meeting_uuid: 'uuid-standup',
        meeting_id: '111',
        participant_id: '1',
        zoom_user_id: 'u-bob',
        name: 'Bob',
        user_email: 'bob@acme.example',
        join_time: '2026-11-20T09:00:00Z',
      },
      {
        meeting_uuid: 'uuid-standup',
        meeting_id: '111',
        participant_id: '2',
        zoom_user_id: 'u-dave',
        name: 'Dave',
        user_email: 'dave@acme.example',
        join_time: '2026-11-20T09:01:00Z',
      },
      {
        meeting_uuid: 'uuid-board',
        meeting_id: '222',
        participant_id: '1',
        zoom_user_id: 'u-ceo',
        name: 'CEO',
        user_email: 'ceo@acme.example',
        join_time: '2026-11-20T14:00:00Z',
      },
      {
        meeting_uuid: 'uuid-board',
        meeting_id: '222',
        participant_id: '2',
        zoom_user_id: 'u-alice',
        name: 'Alice',
        user_email: 'alice@acme.example',
        join_time: '2026-11-20T14:01:00Z',
      },
      {
        meeting_uuid: 'uuid-board',
        meeting_id: '222',
        participant_id: '3',
        zoom_user_id: 'u-bob',
        name: 'Bob',
        user_email: 'bob@acme.example',
        join_time: '2026-11-20T14:02:00Z',
      },
      {
        meeting_uuid: 'uuid-partner',
        meeting_id: '333',
        participant_id: '1',
        zoom_user_id: 'u-alice',
        name: 'Alice',
        user_email: 'alice@acme.example',
        join_time: '2026-11-21T10:00:00Z',
      },
      {
        meeting_uuid: 'uuid-partner',
        meeting_id: '333',
        participant_id: '2',
        zoom_user_id: 'ext-carol',
        name: 'Carol',
        user_email: 'Carol@Partner.example',
        join_time: '2026-11-21T10:02:00Z',
      },
      { meeting_uuid: 'uuid-partner', meeting_id: '333', participant_id: '3', name: HOSTILE_NAME, user_email: '', join_time: '2026-11-21T10:05:00Z' },
      // Signed in to no Zoom account with an internal email: unauthenticated, so exposure, though internal by domain.
      {
        meeting_uuid: 'uuid-partner',
        meeting_id: '333',
        participant_id: '4',
        name: 'Eve',
        user_email: 'eve@acme.example',
        join_time: '2026-11-21T10:06:00Z',
      },
    ],
    participant_details: [
      {
        meeting_uuid: 'uuid-partner',
        meeting_id: '333',
        participant_id: '1',
        zoom_user_id: 'u-alice',
        user_name: 'Alice',
        email: 'alice@acme.example',
        join_time: '2026-11-21T10:00:00Z',
        version: '6.1.0',
      },
      {
        meeting_uuid: 'uuid-partner',
        meeting_id: '333',
        participant_id: '2',
        zoom_user_id: 'ext-carol',
        user_name: 'Carol',
        email: 'carol@partner.example',
        join_time: '2026-11-21T10:02:00Z',
        version: '4.0.0',
      },
    ],
    users: [
      { snapshot_time: '2026-11-20T00:00:00Z', user_id: 'u-ceo', email: 'ceo@acme.example', last_client_version: '6.1.0' },
      { snapshot_time: '2026-11-20T00:00:00Z', user_id: 'u-alice', email: 'alice@acme.example', last_client_version: '5.17.11' },
      { snapshot_time: '2026-11-20T00:00:00Z', user_id: 'u-bob', email: 'bob@acme.example', last_client_version: '5.9.0' },
      { snapshot_time: '2026-11-20T00:00:00Z', user_id: 'u-dave', email: 'dave@acme.example', last_client_version: '5.9.0' },
    ],
    alerts: [
      alert('a1', 'high', 'zoom.participant.guest_impersonates_internal', '2026-11-21T10:05:00Z', { user_name: HOSTILE_NAME, meeting_id: '333' }),
      alert('a2', 'medium', 'zoom.participant.external_in_sensitive_meeting', '2026-11-20T14:02:00Z', {
        user_email: 'carol@partner.example',
        meeting_id: '222',
      }),
      alert('a3', 'low', 'zoom.participant.outdated_client', '2026-11-20T09:01:00Z', { user_email: 'dave@acme.example', device: 'Windows' }),
    ],
  },
  expect: [],
};

/** The config the report lake is read with. */
export const REPORT_LAKE_CONFIG = { internalDomains: ['acme.example'], minClientVersion: '6.0.0' };

/** Writes the report lake and its config into `dir`; returns the config file. */
export async function writeReportLake(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await writeFixtureLake(join(dir, 'lake'), REPORT_LAKE);
  const configFile = join(dir, 'zoomlake.config.json');
  writeFileSync(configFile, JSON.stringify(REPORT_LAKE_CONFIG));
  return configFile;
}

/** The cells of each row of the table with `id`, tags stripped and entities decoded. */
export function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (table === undefined) return [];
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => decode(cell[1]!.replace(/<br>/g, ' ').replace(/<[^>]*>/g, ''))),
  );
}

/** HTML text with the five entities the report writes decoded. */
export function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
