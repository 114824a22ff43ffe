import { describe, expect, it } from 'vitest';
import { identitySignIns, plantSessionMismatch, zoomUsesOf, type ZoomUse } from '#local/scenario/identity.ts';
import type { SimMeeting, SimParticipant } from '#local/zoom-simulator/org.ts';
import { fixtureSchema } from '../support/detection-fixtures.ts';
import { runPaths } from '../support/detection-paths.ts';

// The demo's identity hooks: the IdP sign-ins behind an organisation's Zoom use, and the planted attack, which the
// detection must find among them and nothing else.
const DETECTION = 'zoom.activity.session_mismatch_idp';
const at = (iso: string) => Date.parse(iso);
const participant = (p: Partial<SimParticipant>) =>
  ({ email: '', ip_address: '', location: '', join_time: '2026-11-20T09:00:00Z', ...p }) as SimParticipant;

describe('zoomUsesOf', () => {
  it("takes the organisation's own sign-ins with an IP and joins with an email and an IP, locating sign-ins by their IP", () => {
    const meetings = [
      {
        participants: [
          participant({ email: 'dana@acme.example', ip_address: '203.0.113.10', location: 'New York (US)', join_time: '2026-11-20T09:05:00Z' }),
          participant({ email: '', ip_address: '198.51.100.9', location: 'Dublin (IE)' }),
          participant({ email: 'guest@other.example', ip_address: '198.51.100.8', location: 'Madrid (ES)' }),
        ],
      },
    ] as unknown as SimMeeting[];
    const activities = [
      { email: 'Dana@acme.example', time: '2026-11-20T08:58:00Z', type: 'Sign in', ip_address: '203.0.113.10', client_type: 'Mac' },
      { email: 'dana@acme.example', time: '2026-11-20T17:00:00Z', type: 'Sign out', ip_address: '203.0.113.10' },
      { email: 'erin@acme.example', time: '2026-11-20T08:00:00Z', type: 'Sign in' },
      { email: 'frank@acme.example', time: '2026-11-20T08:30:00Z', type: 'Sign in', ip_address: '192.0.2.44' },
      { email: 'guest@other.example', time: '2026-11-20T08:00:00Z', type: 'Sign in', ip_address: '198.51.100.8' },
    ] as const;
    expect(zoomUsesOf({ activities: [...activities], meetings }, ['acme.example'])).toEqual([
      { email: 'frank@acme.example', at: at('2026-11-20T08:30:00Z'), ip: '192.0.2.44', location: undefined },
      { email: 'Dana@acme.example', at: at('2026-11-20T08:58:00Z'), ip: '203.0.113.10', location: 'New York (US)' },
      { email: 'dana@acme.example', at: at('2026-11-20T09:05:00Z'), ip: '203.0.113.10', location: 'New York (US)' },
    ]);
  });
});

describe('identitySignIns', () => {
  const uses: ZoomUse[] = [
    { email: 'Dana@acme.example', at: at('2026-11-20T09:00:00Z'), ip: '203.0.113.10', location: 'New York (US)' },
    { email: 'dana@acme.example', at: at('2026-11-20T10:00:00Z'), ip: '203.0.113.10', location: 'New York (US)' },
    { email: 'dana@acme.example', at: at('2026-11-20T11:00:00Z'), ip: '165.225.72.18', location: 'Frankfurt (DE)' },
    { email: 'dana@acme.example', at: at('2026-11-20T12:00:00Z'), ip: '203.0.113.10' },
  ];

  it('signs the user in to the IdP from where each use comes, seconds before, once per session and address', () => {
    const rows = identitySignIns(uses);
    expect(rows.map(({ email, time, ip, country, outcome, provider }) => ({ email, time, ip, country, outcome, provider }))).toEqual([
      { email: 'dana@acme.example', time: '2026-11-20T08:59:40Z', ip: '203.0.113.10', country: 'US', outcome: 'SUCCESS', provider: 'okta' },
      { email: 'dana@acme.example', time: '2026-11-20T10:59:40Z', ip: '165.225.72.18', country: 'DE', outcome: 'SUCCESS', provider: 'okta' },
      { email: 'dana@acme.example', time: '2026-11-20T11:59:40Z', ip: '203.0.113.10', country: undefined, outcome: 'SUCCESS', provider: 'okta' },
    ]);
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(rows.length);
    expect(identitySignIns(uses)).toEqual(rows);
  });

  it('leaves out the uses it is told to', () => {
    expect(identitySignIns(uses, { unmirrored: (u) => u.ip === '165.225.72.18' }).map((r) => r.ip)).toEqual(['203.0.113.10']);
  });
});

describe('the planted attack among ordinary sign-ins', () => {
  const NOW = '2026-11-20T16:00:00Z';
  const dana = { email: 'dana.reyes@acme.example', home: { ip: '203.0.113.10', location: 'New York (US)' } };
  const erin = { email: 'erin.park@acme.example', home: { ip: '198.51.100.20', location: 'Chicago (US)' } };
  const uses: ZoomUse[] = [
    { email: dana.email, at: at('2026-11-20T08:10:00Z'), ip: dana.home.ip, location: dana.home.location },
    { email: erin.email, at: at('2026-11-20T08:20:00Z'), ip: erin.home.ip, location: erin.home.location },
    { email: erin.email, at: at('2026-11-20T13:00:00Z'), ip: '172.58.14.9' },
  ];
  const plant = plantSessionMismatch(dana, at('2026-11-20T12:30:00Z'));

  /** A fixture of the uses as Zoom sign-ins, the IdP sign-ins behind them, and the plant if `planted`. */
  const fixture = (planted: boolean) =>
    fixtureSchema.parse({
      description: planted ? 'ordinary use and the planted attack' : 'ordinary use only',
      now: NOW,
      rows: {
        activities: [
          ...uses.map((u) => ({ email: u.email, time: new Date(u.at).toISOString(), type: 'Sign in', ip_address: u.ip, client_type: 'Mac' })),
          ...(planted ? [plant.activity] : []),
        ],
      },
      identity: [...identitySignIns(uses), ...(planted ? [plant.identity] : [])],
      expect: planted ? [{ entities: plant.match }] : [],
    });

  it('raises nothing on ordinary use', async () => {
    expect((await runPaths(DETECTION, fixture(false))).scheduled).toEqual([]);
  });

  it('raises the planted sign-in, and only it', async () => {
    const alerts = (await runPaths(DETECTION, fixture(true))).scheduled ?? [];
    expect(alerts.map((a) => a.entities)).toEqual([plant.match]);
    expect(plant.identity).toMatchObject({ email: dana.email, ip: dana.home.ip, country: 'US', time: '2026-11-20T11:50:00Z' });
  });
});
