import { describe, expect, it } from 'vitest';
import type { ReportData } from '#local/report/data.ts';
import { esc, renderReport, SEVERITY_COLOURS, shortTime, timeTicks } from '#local/report/render.ts';

const EMPTY: ReportData = {
  generatedAt: '2026-11-21T12:00:00.000Z',
  dir: '/data/zoomlake',
  internalDomains: ['acme.example'],
  minClientVersion: '6.0.0',
  maxMeetingSizeForEdges: 25,
  summary: { meetings: 0, people: 0, internalPeople: 0, externalPeople: 0, alerts: 0, from: null, to: null },
  alerts: [],
  exposureByHost: [],
  exposureByMeeting: [],
  externalDomains: [],
  clientVersions: [],
  graph: { nodes: [], edges: [] },
};

const FULL: ReportData = {
  ...EMPTY,
  summary: {
    meetings: 2,
    people: 3,
    internalPeople: 2,
    externalPeople: 1,
    alerts: 3,
    from: '2026-11-20T09:00:00.000Z',
    to: '2026-11-21T10:00:00.000Z',
  },
  alerts: [
    {
      alertId: 'a1',
      detectionId: 'zoom.x.one',
      title: 'One',
      severity: 'low',
      source: 'scheduled',
      firstSeen: '2026-11-20T09:00:00.000Z',
      lastSeen: '2026-11-20T09:00:00.000Z',
      entities: { user_email: 'a@acme.example' },
    },
    {
      alertId: 'a2',
      detectionId: 'zoom.x.two',
      title: 'Two',
      severity: 'critical',
      source: 'realtime',
      firstSeen: '2026-11-21T10:00:00.000Z',
      lastSeen: '2026-11-21T10:00:00.000Z',
      entities: { meeting_id: '42', ip_address: '192.0.2.1' },
    },
    {
      alertId: 'a3',
      detectionId: 'zoom.x.three',
      title: 'Three',
      severity: 'critical',
      source: 'correlation',
      firstSeen: '2026-11-20T12:00:00.000Z',
      lastSeen: '2026-11-20T13:00:00.000Z',
      entities: {},
    },
  ],
  exposureByHost: [
    {
      host: 'a@acme.example',
      exposedMeetings: 1,
      distinctExternals: 1,
      guestsWithoutEmail: 0,
      externalDomains: 'ext.example',
      firstSeen: '2026-11-21T10:00:00.000Z',
      lastSeen: '2026-11-21T10:00:00.000Z',
    },
  ],
  exposureByMeeting: [
    {
      meetingUuid: 'u1',
      meetingId: '42',
      topic: 'Plans',
      host: 'a@acme.example',
      startTime: '2026-11-21T10:00:00.000Z',
      participants: 2,
      externals: 1,
      guestsWithoutEmail: 0,
      externalDomains: 'ext.example',
    },
  ],
  externalDomains: [
    { domain: 'ext.example', participants: 1, meetings: 1, hosts: 1, firstSeen: '2026-11-21T10:00:00.000Z', lastSeen: '2026-11-21T10:00:00.000Z' },
  ],
  clientVersions: [
    { version: '6.1.0', users: 4, belowMinimum: false },
    { version: '5.2.0', users: 3, belowMinimum: true },
    { version: 'beta', users: 1, belowMinimum: null },
  ],
  graph: {
    nodes: [
      { id: 'a@acme.example', kind: 'internal', meetings: 2 },
      { id: 'b@acme.example', kind: 'internal', meetings: 1 },
      { id: 'x@ext.example', kind: 'external', meetings: 1 },
    ],
    edges: [
      { source: 'a@acme.example', target: 'b@acme.example', weight: 1 },
      { source: 'a@acme.example', target: 'x@ext.example', weight: 1 },
    ],
  },
};

const SECTIONS = [
  'summary',
  'alert-timeline',
  'alerts',
  'exposure-by-host',
  'exposure-by-meeting',
  'external-domains',
  'client-versions',
  'collaboration-graph',
];

describe('esc', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted" \'single\'', '&quot;quoted&quot; &#39;single&#39;'],
    ['&lt;', '&amp;lt;'],
    ['nul\u0000bell\u0007', 'nul\uFFFDbell\uFFFD'],
    ['tab\tnew\nline', 'tab\tnew\nline'],
    [null, ''],
    [undefined, ''],
    [42, '42'],
  ])('%j -> %j', (input, expected) => {
    expect(esc(input)).toBe(expected);
  });
});

describe('shortTime', () => {
  it.each([
    ['2026-11-20T12:34:56.000Z', '2026-11-20 12:34'],
    ['2026-11-20T00:00:00Z', '2026-11-20 00:00'],
    ['not a time', 'not a time'],
    [null, ''],
  ])('%j -> %j', (input, expected) => {
    expect(shortTime(input)).toBe(expected);
  });
});

describe('timeTicks', () => {
  const t = (iso: string) => Date.parse(iso);
  it.each([
    [
      'six hours: hourly',
      '2026-11-20T09:30:00Z',
      '2026-11-20T15:30:00Z',
      ['11-20 10h', '11-20 11h', '11-20 12h', '11-20 13h', '11-20 14h', '11-20 15h'],
    ],
    ['two weeks: every two days at midnight', '2026-11-01T05:00:00Z', '2026-11-14T20:00:00Z', ['11-03', '11-05', '11-07', '11-09', '11-11', '11-13']],
    [
      'a day: every three hours',
      '2026-11-20T00:00:00Z',
      '2026-11-21T00:00:00Z',
      ['11-20 00h', '11-20 03h', '11-20 06h', '11-20 09h', '11-20 12h', '11-20 15h', '11-20 18h', '11-20 21h', '11-21 00h'],
    ],
  ])('%s', (_name, from, to, labels) => {
    const ticks = timeTicks(t(from), t(to));
    expect(ticks.map((k) => k.label)).toEqual(labels);
    for (const k of ticks) expect(k.at).toBeGreaterThanOrEqual(t(from));
  });

  it('stays bounded for a span of years', () => {
    const ticks = timeTicks(t('2000-01-01T00:00:00Z'), t('2030-01-01T00:00:00Z'));
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.length).toBeLessThanOrEqual(11);
  });
});

describe('renderReport', () => {
  it('is one self-contained page: no script, nothing loaded from elsewhere, a CSP that forbids both', () => {
    const html = renderReport(FULL);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    for (const banned of ['<script', ' src=', 'http://', 'https://', 'url(', '@import', '<link', '<iframe', '<object'])
      expect(html).not.toContain(banned);
    expect([...html.matchAll(/href="([^"]*)"/g)].every((m) => m[1]!.startsWith('#'))).toBe(true);
  });

  it('has every section, in order, and no "no data" notice when there is data', () => {
    const html = renderReport(FULL);
    const ids = [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(SECTIONS);
    expect(html).not.toContain('No data');
  });

  it('renders an empty lake as a "no data" notice and an empty note in every section', () => {
    const html = renderReport(EMPTY);
    expect([...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1])).toEqual(['no-data', ...SECTIONS]);
    expect(html.match(/<p class="empty">No data:/g)).toHaveLength(SECTIONS.length - 1);
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<table');
  });

  it.each<[string, Partial<ReportData>]>([
    ['only alerts', { alerts: FULL.alerts, summary: { ...EMPTY.summary, alerts: 3 } }],
    ['only client versions', { clientVersions: FULL.clientVersions }],
    ['only meetings', { summary: { ...EMPTY.summary, meetings: 1 } }],
    ['only people', { summary: { ...EMPTY.summary, people: 1 } }],
  ])('has no "no data" notice with %s', (_name, part) => {
    expect(renderReport({ ...EMPTY, ...part })).not.toContain('id="no-data"');
  });

  it('draws one timeline dot per alert, in its severity colour, and counts each lane', () => {
    const html = renderReport(FULL);
    const dots = [...html.matchAll(/<circle class="alert-dot" data-severity="(\w+)" cx="([\d.]+)" cy="([\d.]+)" r="5" fill="(#[0-9a-f]{6})"/g)];
    expect(dots.map((d) => [d[1], d[4]])).toEqual([
      ['low', SEVERITY_COLOURS.low],
      ['critical', SEVERITY_COLOURS.critical],
      ['critical', SEVERITY_COLOURS.critical],
    ]);
    // Later alerts are further right; critical sits above low.
    const [low, critical2, critical1] = dots.map((d) => ({ x: Number(d[2]), y: Number(d[3]) }));
    expect(critical1!.x).toBeLessThan(critical2!.x);
    expect(low!.x).toBeLessThan(critical1!.x);
    expect(critical1!.y).toBeLessThan(low!.y);
    expect(html).toContain('>critical (2)</text>');
    expect(html).toContain('>low (1)</text>');
    expect(html).toContain('>high (0)</text>');
  });

  it('lists alerts most severe first, then by time', () => {
    const html = renderReport(FULL);
    const order = [...html.matchAll(/<td>(zoom\.x\.\w+)<\/td>/g)].map((m) => m[1]);
    expect(order).toEqual(['zoom.x.three', 'zoom.x.two', 'zoom.x.one']);
  });

  it.each([
    [true, 'below', '#dc2626'],
    [false, 'ok', '#2563eb'],
    [null, 'unknown', '#9ca3af'],
  ] as const)('draws a client version with belowMinimum=%s as %s', (belowMinimum, state, fill) => {
    const html = renderReport({ ...FULL, clientVersions: [{ version: '1.2.3', users: 5, belowMinimum }] });
    expect(html).toMatch(
      new RegExp(`<rect class="version-bar" data-state="${state}" x="\\d+" y="[\\d.]+" width="[\\d.]+" height="\\d+" fill="${fill}">`),
    );
  });

  it('sums the users below the minimum', () => {
    expect(renderReport(FULL)).toContain('<span class="flag">3 users</span> below the minimum 6.0.0');
  });

  it('draws the collaboration graph with a node per person and a line per link', () => {
    const html = renderReport(FULL);
    expect(html.match(/<g class="node node-internal"/g)).toHaveLength(2);
    expect(html.match(/<g class="node node-external"/g)).toHaveLength(1);
    expect(html.match(/<line class="edge"/g)).toHaveLength(1);
    expect(html.match(/<line class="edge edge-external"/g)).toHaveLength(1);
    expect(html).toContain('3 of 3 people and 2 of 2 links drawn.');
  });

  it('renders the same data to the same page', () => {
    expect(renderReport(FULL)).toBe(renderReport(structuredClone(FULL)));
  });

  // Names, topics, emails of guests and hosts come from whoever joins a meeting: each field, made hostile, must come
  // out escaped. A field printed without esc() fails its row.
  const HOSTILE = '<script>x()</script><img src=x onerror=y()>';
  const ESCAPED = '&lt;script&gt;x()&lt;/script&gt;&lt;img src=x onerror=y()&gt;';
  const alert0 = FULL.alerts[0]!;
  it.each<[string, (h: string) => ReportData]>([
    ['data folder', (h) => ({ ...FULL, dir: h })],
    ['empty data folder', (h) => ({ ...EMPTY, dir: h })],
    ['internal domain', (h) => ({ ...FULL, internalDomains: [h] })],
    ['min client version', (h) => ({ ...FULL, minClientVersion: h })],
    ['alert title', (h) => ({ ...FULL, alerts: [{ ...alert0, title: h }] })],
    ['alert detection id', (h) => ({ ...FULL, alerts: [{ ...alert0, detectionId: h }] })],
    ['alert source', (h) => ({ ...FULL, alerts: [{ ...alert0, source: h }] })],
    ['alert user name', (h) => ({ ...FULL, alerts: [{ ...alert0, entities: { user_name: h } }] })],
    ['alert meeting', (h) => ({ ...FULL, alerts: [{ ...alert0, entities: { meeting_uuid: h } }] })],
    ['alert other entity value', (h) => ({ ...FULL, alerts: [{ ...alert0, entities: { device: h } }] })],
    ['alert other entity key', (h) => ({ ...FULL, alerts: [{ ...alert0, entities: { [h]: 'v' } }] })],
    ['alert time', (h) => ({ ...FULL, alerts: [{ ...alert0, lastSeen: h }] })],
    ['exposure host', (h) => ({ ...FULL, exposureByHost: [{ ...FULL.exposureByHost[0]!, host: h }] })],
    ['exposure host domains', (h) => ({ ...FULL, exposureByHost: [{ ...FULL.exposureByHost[0]!, externalDomains: h }] })],
    ['meeting topic', (h) => ({ ...FULL, exposureByMeeting: [{ ...FULL.exposureByMeeting[0]!, topic: h }] })],
    ['meeting id', (h) => ({ ...FULL, exposureByMeeting: [{ ...FULL.exposureByMeeting[0]!, meetingId: h }] })],
    ['meeting uuid', (h) => ({ ...FULL, exposureByMeeting: [{ ...FULL.exposureByMeeting[0]!, meetingId: null, meetingUuid: h }] })],
    ['meeting host', (h) => ({ ...FULL, exposureByMeeting: [{ ...FULL.exposureByMeeting[0]!, host: h }] })],
    ['meeting domains', (h) => ({ ...FULL, exposureByMeeting: [{ ...FULL.exposureByMeeting[0]!, externalDomains: h }] })],
    ['external domain', (h) => ({ ...FULL, externalDomains: [{ ...FULL.externalDomains[0]!, domain: h }] })],
    ['client version', (h) => ({ ...FULL, clientVersions: [{ version: h, users: 1, belowMinimum: null }] })],
    [
      'graph person',
      (h) => ({
        ...FULL,
        graph: { nodes: [...FULL.graph.nodes, { id: h, kind: 'guest', meetings: 1 }], edges: [{ source: 'a@acme.example', target: h, weight: 1 }] },
      }),
    ],
  ])('escapes a hostile %s', (_field, make) => {
    const html = renderReport(make(HOSTILE));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain(ESCAPED);
  });
});
