import { SEVERITIES, type Severity } from '#core/alerts/alert.ts';
import type { ClientVersion, ReportAlert, ReportData } from './data.ts';
import { layoutGraph, selectGraph } from './graph-layout.ts';

// Everything in the page comes from the lake, and much of it (display names, topics, emails of guests) is chosen by
// whoever joined a meeting: every value goes through esc(), and the page allows no script at all (CSP below).

const ENTITY_REPLACEMENTS: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe for HTML and SVG text and attribute values; control characters become U+FFFD. */
export function esc(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITY_REPLACEMENTS[c]!);
}

/** `2026-11-20T12:34:56.000Z` -> `2026-11-20 12:34`; other text unchanged. */
export function shortTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '';
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso;
}

/** Colours by severity, lowest first (SEVERITIES order). */
export const SEVERITY_COLOURS: Readonly<Record<Severity, string>> = {
  info: '#6b7280',
  low: '#2563eb',
  medium: '#d97706',
  high: '#dc2626',
  critical: '#7f1d1d',
};
const KIND_COLOURS = { internal: '#2563eb', external: '#ea580c', guest: '#b91c1c' } as const;
const SEVERITY_RANK = new Map(SEVERITIES.map((s, i) => [s, i]));

/** Rows shown per table; the rest are counted. */
export const TABLE_LIMITS = { alerts: 500, exposureByHost: 50, exposureByMeeting: 50, externalDomains: 50, clientVersions: 40 } as const;

const CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #f9fafb; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin: 0 0 8px; font-size: 18px; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
nav a { margin-right: 12px; color: #2563eb; text-decoration: none; font-size: 14px; }
.meta, .note, figcaption { color: #4b5563; font-size: 13px; }
.notice { border-color: #f59e0b; background: #fffbeb; }
.empty { color: #6b7280; font-style: italic; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 0; padding: 0; list-style: none; }
.stats li { background: #f3f4f6; border-radius: 6px; padding: 8px 12px; font-size: 13px; }
.stats b { display: block; font-size: 20px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f4f6; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.sev { display: inline-block; min-width: 56px; padding: 1px 6px; border-radius: 4px; color: #fff; font-size: 12px; text-align: center; }
${SEVERITIES.map((s) => `.sev-${s} { background: ${SEVERITY_COLOURS[s]}; }`).join('\n')}
.flag { color: #b91c1c; font-weight: 600; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: system-ui, sans-serif; }
.legend { display: flex; gap: 16px; font-size: 13px; margin-top: 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: middle; }
`;

function table(headers: readonly (string | { label: string; num: true })[], rows: readonly (readonly string[])[], id?: string): string {
  const head = headers.map((h) => (typeof h === 'string' ? `<th>${esc(h)}</th>` : `<th class="num">${esc(h.label)}</th>`)).join('');
  const numeric = headers.map((h) => typeof h !== 'string');
  const body = rows
    .map((r) => `<tr>${r.map((cell, i) => (numeric[i] ? `<td class="num">${cell}</td>` : `<td>${cell}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table${id ? ` id="${esc(id)}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}">\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

const empty = (what: string) => `<p class="empty">No data: ${esc(what)}</p>`;
const more = (shown: number, total: number, what: string) =>
  total > shown ? `<p class="note">Showing the first ${shown} of ${total} ${esc(what)}.</p>` : '';

/** UTC tick marks for a time axis between `t0` and `t1` (epoch ms): at most about `maxTicks`, on round hours or days. */
export function timeTicks(t0: number, t1: number, maxTicks = 10): { at: number; label: string }[] {
  const hour = 3_600_000;
  const steps = [
    hour,
    3 * hour,
    6 * hour,
    12 * hour,
    24 * hour,
    48 * hour,
    7 * 24 * hour,
    14 * 24 * hour,
    30 * 24 * hour,
    90 * 24 * hour,
    365 * 24 * hour,
  ];
  const span = Math.max(t1 - t0, 1);
  const step = steps.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / (24 * hour)) * 24 * hour;
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil(t0 / step) * step, i = 0; at <= t1 && i <= maxTicks + 1; at += step, i++) {
    const iso = new Date(at).toISOString();
    ticks.push({ at, label: step >= 24 * hour ? iso.slice(5, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` });
  }
  return ticks;
}

/** The alert timeline: one lane per severity (critical on top), a dot per alert at its first evidence. */
export function timelineSvg(alerts: readonly ReportAlert[]): string {
  const lanes = [...SEVERITIES].reverse();
  const [width, left, right, top, laneHeight] = [960, 96, 16, 12, 30];
  const axisY = top + lanes.length * laneHeight;
  const height = axisY + 34;
  const times = alerts.map((a) => Date.parse(a.firstSeen)).filter((t) => !Number.isNaN(t));
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (t1 - t0 < 3_600_000) {
    t0 -= 1_800_000;
    t1 += 1_800_000;
  }
  const pad = (t1 - t0) * 0.02;
  t0 -= pad;
  t1 += pad;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const counts = new Map(lanes.map((s) => [s, alerts.filter((a) => a.severity === s).length]));
  const parts: string[] = [];
  lanes.forEach((s, i) => {
    const y = top + i * laneHeight;
    parts.push(`<rect x="${left}" y="${y}" width="${width - left - right}" height="${laneHeight}" fill="${i % 2 === 0 ? '#f9fafb' : '#ffffff'}"/>`);
    parts.push(
      `<text x="${left - 8}" y="${y + laneHeight / 2 + 4}" text-anchor="end" font-size="12" fill="${SEVERITY_COLOURS[s]}">${esc(s)} (${counts.get(s) ?? 0})</text>`,
    );
  });
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${width - right}" y2="${axisY}" stroke="#9ca3af"/>`);
  for (const tick of timeTicks(t0, t1)) {
    const tx = x(tick.at).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${axisY + 4}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${tx}" y="${axisY + 18}" text-anchor="middle" font-size="11" fill="#4b5563">${esc(tick.label)}</text>`);
  }
  // Alerts at the same place in a lane are spread vertically so each stays visible.
  const used = new Map<string, number>();
  for (const a of alerts) {
    const t = Date.parse(a.firstSeen);
    if (Number.isNaN(t)) continue;
    const lane = lanes.indexOf(a.severity);
    const cx = x(t);
    const key = `${lane}:${Math.round(cx / 6)}`;
    const nth = used.get(key) ?? 0;
    used.set(key, nth + 1);
    const offset = ((nth % 5) - 2) * 4;
    const cy = top + lane * laneHeight + laneHeight / 2 + offset;
    parts.push(
      `<circle class="alert-dot" data-severity="${esc(a.severity)}" cx="${cx.toFixed(1)}" cy="${cy}" r="5" fill="${SEVERITY_COLOURS[a.severity]}" fill-opacity="0.8" stroke="#fff" stroke-width="1">` +
        `<title>${esc(`${a.severity} ${a.detectionId}: ${a.title} (${shortTime(a.firstSeen)} UTC)`)}</title></circle>`,
    );
  }
  parts.push(
    `<text x="${width - right}" y="${height - 2}" text-anchor="end" font-size="11" fill="#6b7280">time (UTC) of each alert's first evidence</text>`,
  );
  return `<svg id="alert-timeline-svg" role="img" aria-label="Alerts over time by severity" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">\n${parts.join('\n')}\n</svg>`;
}

/** Horizontal bars: users per client version, versions below the minimum in red. */
export function clientVersionsSvg(versions: readonly ClientVersion[]): string {
  const [width, left, right, rowHeight, top] = [960, 120, 60, 20, 8];
  const height = top * 2 + versions.length * rowHeight;
  const max = Math.max(1, ...versions.map((v) => v.users));
  const bars = versions.map((v, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, ((width - left - right) * v.users) / max);
    const fill = v.belowMinimum === true ? '#dc2626' : v.belowMinimum === false ? '#2563eb' : '#9ca3af';
    const state = v.belowMinimum === true ? 'below' : v.belowMinimum === false ? 'ok' : 'unknown';
    return (
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end" font-size="12">${esc(v.version)}</text>` +
      `<rect class="version-bar" data-state="${state}" x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${fill}">` +
      `<title>${esc(`${v.version}: ${v.users} users`)}</title></rect>` +
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 14}" font-size="12" fill="#374151">${v.users}</text>`
    );
  });
  return `<svg id="client-versions-svg" role="img" aria-label="Users per client version" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">\n${bars.join('\n')}\n</svg>`;
}

const label = (id: string, kind: string) => {
  const text = kind === 'internal' && id.includes('@') ? id.slice(0, id.indexOf('@')) : id;
  return text.length > 28 ? `${text.slice(0, 27)}…` : text;
};

/** The collaboration graph: people as nodes (internal, external, guests), shared meetings as edges. */
export function graphSvg(data: ReportData['graph']): { svg: string; caption: string } {
  const [width, height] = [960, 640];
  const picked = selectGraph(data.nodes, data.edges);
  const placed = layoutGraph(picked.nodes, picked.edges, { width, height });
  const at = new Map(placed.map((n) => [n.id, n]));
  const maxWeight = Math.max(1, ...picked.edges.map((e) => e.weight));
  const lines = picked.edges.map((e) => {
    const a = at.get(e.source)!;
    const b = at.get(e.target)!;
    const crossing = (a.kind === 'internal') !== (b.kind === 'internal');
    return (
      `<line class="edge${crossing ? ' edge-external' : ''}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" ` +
      `stroke="${crossing ? '#ea580c' : '#94a3b8'}" stroke-opacity="${crossing ? 0.7 : 0.45}" stroke-width="${(0.8 + (2.5 * e.weight) / maxWeight).toFixed(2)}">` +
      `<title>${esc(`${e.source} and ${e.target}: ${e.weight} shared meetings`)}</title></line>`
    );
  });
  const circles = placed.map(
    (n) =>
      `<g class="node node-${n.kind}" data-id="${esc(n.id)}"><circle cx="${n.x}" cy="${n.y}" r="${n.r}" fill="${KIND_COLOURS[n.kind]}" stroke="#fff" stroke-width="1.5">` +
      `<title>${esc(`${n.id} (${n.kind}, ${n.meetings} meetings)`)}</title></circle>` +
      // Labels go on the side facing the middle, so those near the right edge stay inside the picture.
      (n.x > width * 0.7
        ? `<text x="${(n.x - n.r - 3).toFixed(1)}" y="${(n.y + 3).toFixed(1)}" text-anchor="end"`
        : `<text x="${(n.x + n.r + 3).toFixed(1)}" y="${(n.y + 3).toFixed(1)}"`) +
      ` font-size="10" fill="#1f2937" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(label(n.id, n.kind))}</text></g>`,
  );
  const svg =
    `<svg id="collaboration-graph-svg" role="img" aria-label="Collaboration graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">\n` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>\n${lines.join('\n')}\n${circles.join('\n')}\n</svg>`;
  const caption =
    `${picked.nodes.length} of ${data.nodes.length} people and ${picked.edges.length} of ${data.edges.length} links drawn` +
    (picked.omittedNodes > 0 ? ', people who meet outsiders first' : '') +
    '.';
  return { svg, caption };
}

const WHO_KEYS = ['user_email', 'user_name', 'host_email', 'operator'] as const;
const MEETING_KEYS = ['meeting_id', 'meeting_uuid'] as const;
type Entities = Readonly<Record<string, string>>;
const firstKey = (e: Entities, keys: readonly string[]) => keys.find((k) => e[k] !== undefined);
const entity = (e: Entities, keys: readonly string[]) => {
  const k = firstKey(e, keys);
  return k === undefined ? '' : e[k]!;
};
const otherEntities = (e: Entities) => {
  const shown = new Set([firstKey(e, WHO_KEYS), firstKey(e, MEETING_KEYS)]);
  return Object.entries(e)
    .filter(([k]) => !shown.has(k))
    .map(([k, v]) => `${esc(k)}=${esc(v)}`)
    .join('<br>');
};

function alertsSection(alerts: readonly ReportAlert[]): string {
  if (alerts.length === 0) return section('alerts', 'Alerts', empty('no alerts in the lake.'));
  const sorted = [...alerts].sort(
    (a, b) =>
      (SEVERITY_RANK.get(b.severity) ?? 0) - (SEVERITY_RANK.get(a.severity) ?? 0) ||
      a.firstSeen.localeCompare(b.firstSeen) ||
      a.alertId.localeCompare(b.alertId),
  );
  const shown = sorted.slice(0, TABLE_LIMITS.alerts);
  const rows = shown.map((a) => [
    `<span class="sev sev-${a.severity}">${esc(a.severity)}</span>`,
    esc(a.detectionId),
    esc(a.title),
    esc(entity(a.entities, WHO_KEYS)),
    esc(entity(a.entities, MEETING_KEYS)),
    otherEntities(a.entities),
    esc(shortTime(a.firstSeen)),
    esc(shortTime(a.lastSeen)),
    esc(a.source),
  ]);
  return section(
    'alerts',
    `Alerts (${alerts.length})`,
    table(
      ['severity', 'detection', 'title', 'who', 'meeting', 'other entities', 'first seen (UTC)', 'last seen (UTC)', 'source'],
      rows,
      'alerts-table',
    ) + more(shown.length, alerts.length, 'alerts, most severe first'),
  );
}

/** The whole report: one self-contained HTML page (inline CSS and SVG, no script, nothing loaded from elsewhere). */
export function renderReport(data: ReportData): string {
  const s = data.summary;
  const noData = s.meetings === 0 && s.people === 0 && s.alerts === 0 && data.clientVersions.length === 0;
  const parts: string[] = [];
  parts.push(
    `<header>\n<h1>zoomlake report</h1>\n<p class="meta">Data folder ${esc(data.dir)}; generated ${esc(shortTime(data.generatedAt))} UTC` +
      (s.from !== null && s.to !== null ? `; data from ${esc(shortTime(s.from))} to ${esc(shortTime(s.to))} UTC` : '') +
      `; internal domains: ${data.internalDomains.length > 0 ? esc(data.internalDomains.join(', ')) : 'none configured (everyone counts as external)'}.</p>\n` +
      '<nav><a href="#alert-timeline">Timeline</a><a href="#alerts">Alerts</a><a href="#exposure-by-host">Exposure by host</a>' +
      '<a href="#exposure-by-meeting">Exposure by meeting</a><a href="#external-domains">External domains</a>' +
      '<a href="#client-versions">Client versions</a><a href="#collaboration-graph">Collaboration graph</a></nav>\n</header>',
  );
  if (noData) {
    parts.push(
      `<section id="no-data" class="notice">\n<h2>No data</h2>\n<p>The lake under ${esc(data.dir)} holds no meetings, participants, ` +
        'client versions or alerts yet. Fill it with <code>zoomlake demo</code>, <code>zoomlake load</code>, <code>zoomlake serve</code> ' +
        'or <code>zoomlake poll</code>, then run <code>zoomlake report</code> again.</p>\n</section>',
    );
  }
  parts.push(
    section(
      'summary',
      'Summary',
      `<ul class="stats">${[
        ['meetings', s.meetings],
        ['people', s.people],
        ['internal', s.internalPeople],
        ['external and guests', s.externalPeople],
        ['alerts', s.alerts],
      ]
        .map(([k, v]) => `<li><b>${esc(v)}</b>${esc(k)}</li>`)
        .join('')}</ul>`,
    ),
  );

  parts.push(
    section(
      'alert-timeline',
      'Alert timeline',
      data.alerts.length === 0
        ? empty('no alerts in the lake.')
        : `<figure>${timelineSvg(data.alerts)}<figcaption>One dot per alert, in its severity's lane.</figcaption></figure>`,
    ),
  );
  parts.push(alertsSection(data.alerts));

  const hosts = data.exposureByHost.slice(0, TABLE_LIMITS.exposureByHost);
  parts.push(
    section(
      'exposure-by-host',
      'External exposure by host',
      '<p class="note">Meetings that external participants (email domain not internal) or unauthenticated ones (no email, or no Zoom user id) joined, per host.</p>\n' +
        (hosts.length === 0
          ? empty('no meeting had external or unauthenticated participants.')
          : table(
              [
                'host',
                { label: 'exposed meetings', num: true },
                { label: 'externals', num: true },
                { label: 'guests without email', num: true },
                'external domains',
                'first seen (UTC)',
                'last seen (UTC)',
              ],
              hosts.map((h) => [
                esc(h.host),
                esc(h.exposedMeetings),
                esc(h.distinctExternals),
                esc(h.guestsWithoutEmail),
                esc(h.externalDomains),
                esc(shortTime(h.firstSeen)),
                esc(shortTime(h.lastSeen)),
              ]),
              'exposure-by-host-table',
            ) + more(hosts.length, data.exposureByHost.length, 'hosts')),
    ),
  );

  const meetings = data.exposureByMeeting.slice(0, TABLE_LIMITS.exposureByMeeting);
  parts.push(
    section(
      'exposure-by-meeting',
      'External exposure by meeting',
      meetings.length === 0
        ? empty('no meeting had external or unauthenticated participants.')
        : table(
            [
              'meeting',
              'topic',
              'host',
              'start (UTC)',
              { label: 'participants', num: true },
              { label: 'externals', num: true },
              { label: 'guests without email', num: true },
              'external domains',
            ],
            meetings.map((m) => [
              esc(m.meetingId ?? m.meetingUuid),
              esc(m.topic ?? ''),
              esc(m.host),
              esc(shortTime(m.startTime)),
              esc(m.participants),
              esc(m.externals),
              esc(m.guestsWithoutEmail),
              esc(m.externalDomains),
            ]),
            'exposure-by-meeting-table',
          ) + more(meetings.length, data.exposureByMeeting.length, 'meetings, most externals first'),
    ),
  );

  const domains = data.externalDomains.slice(0, TABLE_LIMITS.externalDomains);
  parts.push(
    section(
      'external-domains',
      'External domains',
      domains.length === 0
        ? empty('no participant from outside the internal domains.')
        : table(
            [
              'domain',
              { label: 'participants', num: true },
              { label: 'meetings', num: true },
              { label: 'hosts', num: true },
              'first seen (UTC)',
              'last seen (UTC)',
            ],
            domains.map((d) => [
              esc(d.domain),
              esc(d.participants),
              esc(d.meetings),
              esc(d.hosts),
              esc(shortTime(d.firstSeen)),
              esc(shortTime(d.lastSeen)),
            ]),
            'external-domains-table',
          ) + more(domains.length, data.externalDomains.length, 'domains'),
    ),
  );

  const versions = data.clientVersions.slice(0, TABLE_LIMITS.clientVersions);
  const below = data.clientVersions.filter((v) => v.belowMinimum === true).reduce((n, v) => n + v.users, 0);
  parts.push(
    section(
      'client-versions',
      'Client versions',
      versions.length === 0
        ? empty('no client versions seen.')
        : `<p class="note">Each user's latest Zoom client version; <span class="flag">${below} users</span> below the minimum ${esc(data.minClientVersion)} (red).</p>\n` +
            `<figure>${clientVersionsSvg(versions)}</figure>\n` +
            table(
              ['version', { label: 'users', num: true }, 'below minimum'],
              versions.map((v) => [
                esc(v.version),
                esc(v.users),
                v.belowMinimum === true ? '<span class="flag">yes</span>' : v.belowMinimum === false ? 'no' : 'not numeric',
              ]),
              'client-versions-table',
            ) +
            more(versions.length, data.clientVersions.length, 'versions'),
    ),
  );

  if (data.graph.nodes.length === 0) {
    parts.push(section('collaboration-graph', 'Collaboration graph', empty('no meeting participants in the lake.')));
  } else {
    const { svg, caption } = graphSvg(data.graph);
    parts.push(
      section(
        'collaboration-graph',
        'Collaboration graph',
        `<figure>${svg}<figcaption>${esc(caption)} A link joins two people who were in the same meeting (meetings with more than ` +
          `${esc(data.maxMeetingSizeForEdges)} people add none); orange links cross the organisation's boundary.</figcaption></figure>\n` +
          '<div class="legend">' +
          (['internal', 'external', 'guest'] as const)
            .map((k) => `<span><span class="swatch" style="background:${KIND_COLOURS[k]}"></span>${k === 'guest' ? 'guest (no email)' : k}</span>`)
            .join('') +
          '</div>',
      ),
    );
  }

  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    // No script may run and nothing may load: the page is data from the lake and nothing else.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>zoomlake report</title>\n' +
    `<style>${CSS}</style>\n</head>\n<body>\n${parts.join('\n')}\n</body>\n</html>\n`
  );
}
