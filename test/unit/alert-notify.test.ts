import { describe, expect, it } from 'vitest';
import { alertId } from '#core/alerts/alert.ts';
import {
  NotifyError,
  PAGERDUTY_EVENTS_URL,
  RUNBOOK_MAX,
  notifyAlertEvent,
  pagerDutyEvent,
  postNotification,
  secretValue,
  slackEscape,
  slackMessage,
  truncate,
  type HttpPost,
  type NotifiableAlert,
} from '#core/alerts/notify.ts';

const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';

function alert(overrides: Partial<NotifiableAlert> = {}): NotifiableAlert {
  return {
    alert_id: alertId('zoom.participant.zombie_link', 'mallory@evil.example', Date.UTC(2026, 10, 20), 86_400_000),
    detection_id: 'zoom.participant.zombie_link',
    title: 'Former employee joined a meeting',
    severity: 'high',
    source: 'realtime',
    first_seen: '2026-11-20T10:00:00.000Z',
    last_seen: '2026-11-20T10:05:00.000Z',
    dedup_key: 'mallory@evil.example',
    entities: { user_email: 'mallory@evil.example', meeting_id: '81234567890' },
    evidence: [{ participant: 'mallory@evil.example', ip: '203.0.113.9' }],
    mitre: ['T1078'],
    runbook: 'https://runbooks.example/zombie',
    count: 3,
    evidence_total: 1,
    ...overrides,
  };
}

function busEvent(detail: unknown, extra: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'Zoom Security Alert',
    source: 'zoomlake',
    account: '123456789012',
    time: '2026-11-20T10:05:01Z',
    region: 'eu-west-1',
    resources: [],
    detail,
    ...extra,
  };
}

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] };
const blockText = (blocks: unknown[]) =>
  (blocks as Block[])
    .map((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)].join('\n'))
    .join('\n');

describe('slackMessage', () => {
  it('has a fallback text and blocks with title, severity, detection, entities, times, count and runbook link', () => {
    const m = slackMessage(alert());
    expect(m.text).toBe('[HIGH] Former employee joined a meeting (mallory@evil.example)');
    expect((m.blocks as Block[]).map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect((m.blocks[0] as Block).text?.text).toBe('HIGH: Former employee joined a meeting');
    const text = blockText(m.blocks);
    for (const part of [
      '*Severity*\n:red_circle: high',
      '`zoom.participant.zombie_link`',
      '*First seen*\n2026-11-20T10:00:00.000Z',
      '*Last seen*\n2026-11-20T10:05:00.000Z',
      '3 times in window',
      '• user_email: mallory@evil.example',
      '• meeting_id: 81234567890',
      '<https://runbooks.example/zombie|Open runbook>',
      'MITRE T1078',
    ]) {
      expect(text).toContain(part);
    }
  });

  it('leaves evidence out', () => {
    expect(JSON.stringify(slackMessage(alert()))).not.toContain('203.0.113.9');
  });

  it('escapes attacker-chosen entity values so they cannot render as links or mentions', () => {
    const text = blockText(slackMessage(alert({ entities: { user_name: '<https://evil.example|Reset password> <!channel> & co' } })).blocks);
    expect(text).toContain('&lt;https://evil.example|Reset password&gt; &lt;!channel&gt; &amp; co');
    expect(text).not.toContain('<https://evil.example');
  });

  it('shows a text runbook as a truncated, escaped excerpt, never a link', () => {
    const text = blockText(slackMessage(alert({ runbook: `Call <the SOC> ${'x'.repeat(2_000)}` })).blocks);
    const runbook = text.slice(text.indexOf('*Runbook*\n') + 10, text.indexOf('\n', text.indexOf('*Runbook*\n') + 10));
    expect(runbook.startsWith('Call &lt;the SOC&gt;')).toBe(true);
    expect(runbook.endsWith('…')).toBe(true);
    expect(runbook.length).toBeLessThanOrEqual(RUNBOOK_MAX + 10);
  });

  it("keeps the header within Slack's 150 characters", () => {
    expect(((slackMessage(alert({ title: 'T'.repeat(400) })).blocks[0] as Block).text?.text ?? '').length).toBe(150);
  });
});

describe('pagerDutyEvent', () => {
  it('triggers with the routing key, the alert id as dedup key, and a v2 payload', () => {
    expect(pagerDutyEvent(alert(), ROUTING_KEY)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: alert().alert_id,
      client: 'zoomlake',
      payload: {
        summary: '[HIGH] Former employee joined a meeting (mallory@evil.example)',
        severity: 'error',
        source: 'mallory@evil.example',
        timestamp: '2026-11-20T10:00:00.000Z',
        component: 'zoom',
        group: 'zoom.participant',
        class: 'zoom.participant.zombie_link',
        custom_details: {
          alert_id: alert().alert_id,
          detection_id: 'zoom.participant.zombie_link',
          severity: 'high',
          source: 'realtime',
          first_seen: '2026-11-20T10:00:00.000Z',
          last_seen: '2026-11-20T10:05:00.000Z',
          count: 3,
          entities: { user_email: 'mallory@evil.example', meeting_id: '81234567890' },
          mitre: ['T1078'],
          evidence_rows: 1,
          runbook: 'https://runbooks.example/zombie',
        },
      },
      links: [{ href: 'https://runbooks.example/zombie', text: 'Runbook' }],
    });
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
    ['info', 'info'],
  ] as const)('maps severity %s to %s', (ours, theirs) => {
    expect((pagerDutyEvent(alert({ severity: ours }), ROUTING_KEY).payload as { severity: string }).severity).toBe(theirs);
  });

  it('falls back to the meeting, then "zoom", as the source', () => {
    expect((pagerDutyEvent(alert({ entities: { meeting_id: '1' } }), ROUTING_KEY).payload as { source: string }).source).toBe('1');
    expect((pagerDutyEvent(alert({ entities: {} }), ROUTING_KEY).payload as { source: string }).source).toBe('zoom');
  });

  it('has no links for a text runbook and caps the summary at 1024', () => {
    const e = pagerDutyEvent(alert({ runbook: 'call the SOC', title: 'x'.repeat(2_000) }), ROUTING_KEY);
    expect(e.links).toBeUndefined();
    expect((e.payload as { summary: string }).summary).toHaveLength(1024);
  });
});

describe('helpers', () => {
  it.each([
    ['abc', 5, 'abc'],
    ['abcdef', 5, 'abcd…'],
    ['', 1, ''],
  ])('truncate(%j, %i) = %j', (text, max, out) => expect(truncate(text, max)).toBe(out));
  it('escapes &, < and >', () => expect(slackEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c'));

  it.each([
    { channel: 'slack' as const, raw: SLACK_URL, value: SLACK_URL },
    { channel: 'slack' as const, raw: JSON.stringify({ webhookUrl: SLACK_URL }), value: SLACK_URL },
    { channel: 'slack' as const, raw: 'http://127.0.0.1:9/x', value: 'http://127.0.0.1:9/x' },
    { channel: 'pagerduty' as const, raw: ` ${ROUTING_KEY}\n`, value: ROUTING_KEY },
    { channel: 'pagerduty' as const, raw: JSON.stringify({ routingKey: ROUTING_KEY }), value: ROUTING_KEY },
  ])('reads the $channel secret from $raw', ({ channel, raw, value }) => expect(secretValue(channel, raw)).toBe(value));

  it.each([
    { channel: 'slack' as const, raw: 'not a url', message: /not a URL/ },
    { channel: 'slack' as const, raw: 'http://hooks.slack.com/services/x', message: /https/ },
    { channel: 'slack' as const, raw: '{"url":"x"}', message: /without a "webhookUrl"/ },
    { channel: 'pagerduty' as const, raw: 'short', message: /32-character/ },
    { channel: 'pagerduty' as const, raw: '{bad json', message: /not valid JSON/ },
  ])('rejects a bad $channel secret without echoing it: $raw', ({ channel, raw, message }) => {
    let error: unknown;
    try {
      secretValue(channel, raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotifyError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(raw);
  });
});

/** A scripted HTTP POST: each step is a status (with optional Retry-After and body) or 'network'. */
function scripted(steps: readonly (number | 'network' | { status: number; retryAfter?: string; body?: string })[]) {
  const calls: { url: string; body: string; timeoutMs?: number }[] = [];
  const post: HttpPost = async (url, init) => {
    calls.push({ url, body: init.body, timeoutMs: init.timeoutMs });
    const step = steps[calls.length - 1] ?? 200;
    if (step === 'network')
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ECONNREFUSED ${url}`), { code: 'ECONNREFUSED' }) });
    const s = typeof step === 'number' ? { status: step } : step;
    return {
      status: s.status,
      headers: { get: (n: string) => (n === 'retry-after' ? (s.retryAfter ?? null) : null) },
      text: async () => s.body ?? '',
    };
  };
  const sleeps: number[] = [];
  return {
    calls,
    sleeps,
    deps: {
      post,
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
    },
  };
}

describe('postNotification', () => {
  it.each([
    { name: '2xx at once', steps: [200], attempts: 1, sleeps: [] },
    { name: '202 (PagerDuty)', steps: [202], attempts: 1, sleeps: [] },
    { name: '5xx then success', steps: [500, 503, 200], attempts: 3, sleeps: [75, 150] },
    { name: 'network error then success', steps: ['network' as const, 200], attempts: 2, sleeps: [75] },
    { name: '429 honouring Retry-After', steps: [{ status: 429, retryAfter: '1' }, 200], attempts: 2, sleeps: [1_000] },
  ])('$name', async ({ steps, attempts, sleeps }) => {
    const s = scripted(steps);
    expect(await postNotification('slack', SLACK_URL, { a: 1 }, s.deps)).toMatchObject({ attempts });
    expect(s.sleeps).toEqual(sleeps);
    expect(s.calls.every((c) => c.body === '{"a":1}' && c.timeoutMs === 5_000)).toBe(true);
  });

  it.each([400, 403, 404, 410])('does not retry a %i', async (status) => {
    const s = scripted([{ status, body: 'invalid_token' }]);
    const error = await postNotification('slack', SLACK_URL, {}, s.deps).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'NotifyError',
      retryable: false,
      status,
      message: `slack rejected the notification: HTTP ${status} (invalid_token)`,
    });
    expect(s.calls).toHaveLength(1);
  });

  it('throws a retryable error after the last 5xx, naming neither URL nor body', async () => {
    const s = scripted([500, 500, 500, { status: 502, body: `<html>${SLACK_URL}</html>` }]);
    const error = await postNotification('slack', SLACK_URL, {}, s.deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, message: 'slack notification failed after 4 attempts: HTTP 502' });
    expect(s.calls).toHaveLength(4);
    expect(s.sleeps).toEqual([75, 150, 300]);
  });

  it('names a network failure by its code only', async () => {
    const s = scripted(['network', 'network']);
    const error = await postNotification('pagerduty', PAGERDUTY_EVENTS_URL, {}, { ...s.deps, maxAttempts: 2 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('pagerduty notification failed after 2 attempts: ECONNREFUSED');
  });

  it('stops early when Retry-After is longer than it may wait', async () => {
    const s = scripted([{ status: 429, retryAfter: '30' }]);
    await expect(postNotification('slack', SLACK_URL, {}, s.deps)).rejects.toMatchObject({ retryable: true, message: /retry after 30 s/ });
    expect(s.calls).toHaveLength(1);
  });

  it('caps the backoff and spreads it with jitter', async () => {
    const low = scripted([500, 500, 500, 500, 500, 500]);
    await postNotification('slack', SLACK_URL, {}, { ...low.deps, maxAttempts: 6, random: () => 0 }).catch(() => undefined);
    expect(low.sleeps).toEqual([50, 100, 200, 400, 500]);
    const high = scripted([500, 500]);
    await postNotification('slack', SLACK_URL, {}, { ...high.deps, maxAttempts: 2, random: () => 0.999 }).catch(() => undefined);
    expect(high.sleeps[0]).toBeCloseTo(99.95);
  });
});

describe('notifyAlertEvent', () => {
  const slack = { channel: 'slack' as const, secret: async () => SLACK_URL };

  it('posts a Slack message for an alert event', async () => {
    const s = scripted([200]);
    const { count: _c, evidence_total: _e, ...plain } = alert();
    expect(await notifyAlertEvent(busEvent(plain), slack, s.deps)).toEqual({
      outcome: 'sent',
      channel: 'slack',
      alertId: plain.alert_id,
      detectionId: plain.detection_id,
      status: 200,
      attempts: 1,
    });
    expect(s.calls[0]?.url).toBe(SLACK_URL);
    expect(JSON.parse(s.calls[0]?.body ?? '')).toEqual(slackMessage({ ...plain }));
  });

  it('posts a PagerDuty trigger to the events URL, or an override', async () => {
    for (const url of [undefined, 'http://127.0.0.1:1/v2/enqueue']) {
      const s = scripted([202]);
      await notifyAlertEvent(busEvent(alert()), { channel: 'pagerduty', secret: async () => ROUTING_KEY, pagerDutyUrl: url }, s.deps);
      expect(s.calls[0]?.url).toBe(url ?? 'https://events.pagerduty.com/v2/enqueue');
      expect(JSON.parse(s.calls[0]?.body ?? '')).toMatchObject({ routing_key: ROUTING_KEY, dedup_key: alert().alert_id });
    }
  });

  it.each([
    { includeReplays: undefined, outcome: 'skipped_replay', posts: 0 },
    { includeReplays: false, outcome: 'skipped_replay', posts: 0 },
    { includeReplays: true, outcome: 'sent', posts: 1 },
  ])('replayed event with includeReplays=$includeReplays: $outcome', async ({ includeReplays, outcome, posts }) => {
    const s = scripted([200]);
    const result = await notifyAlertEvent(busEvent(alert(), { 'replay-name': 'rerun-2026-11' }), { ...slack, includeReplays }, s.deps);
    expect(result.outcome).toBe(outcome);
    expect(s.calls).toHaveLength(posts);
  });

  it.each([
    { name: 'another source', event: { ...busEvent(alert()), source: 'aws.s3' } },
    { name: 'another detail type', event: { ...busEvent(alert()), 'detail-type': 'Something' } },
    { name: 'no detail', event: busEvent(undefined) },
    { name: 'an invalid alert', event: busEvent({ ...alert(), severity: 'urgent' }) },
  ])('rejects $name without posting or retrying', async ({ event }) => {
    const s = scripted([200]);
    await expect(notifyAlertEvent(event, slack, s.deps)).rejects.toMatchObject({ name: 'NotifyError', retryable: false });
    expect(s.calls).toHaveLength(0);
  });
});
