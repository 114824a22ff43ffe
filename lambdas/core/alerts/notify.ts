import * as z from 'zod/mini';
import { type Alert, ALERT_DETAIL_TYPE, ALERT_EVENT_SOURCE, alertSchema, type Severity } from './alert.ts';

/** PagerDuty Events API v2 endpoint (overridable for tests and EU service regions). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Chat and paging channels the notifier posts to. */
export const NOTIFY_CHANNELS = ['slack', 'pagerduty'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

/**
 * An alert event as EventBridge hands it to a rule target. A replayed archive event carries `replay-name` (the
 * replay's name); EventBridge sets it, so consumers can tell a replay from a first delivery.
 */
export const alertBusEventSchema = z.object({
  id: z.string(),
  source: z.literal(ALERT_EVENT_SOURCE),
  'detail-type': z.literal(ALERT_DETAIL_TYPE),
  time: z.optional(z.string()),
  'replay-name': z.optional(z.string()),
  detail: z.extend(alertSchema, {
    count: z.optional(z.number()),
    evidence_total: z.optional(z.number()),
  }),
});
export type AlertBusEvent = z.infer<typeof alertBusEventSchema>;
/** An alert as carried on the bus: evidence may be capped, with the total and the raise count beside it. */
export type NotifiableAlert = AlertBusEvent['detail'];

/** Whether the event is an archive replay rather than a first delivery. */
export function isReplay(event: Pick<AlertBusEvent, 'replay-name'>): boolean {
  return event['replay-name'] !== undefined;
}

// Slack Block Kit limits: header text 150 characters, section text 3000, a field 2000, 10 fields per section.
const SLACK_HEADER_MAX = 150;
const SLACK_TEXT_MAX = 3000;
const SLACK_FIELD_MAX = 2000;
/** Longest runbook excerpt shown in chat and pages; the full runbook is in the alerts table. */
export const RUNBOOK_MAX = 500;
// PagerDuty: summary at most 1024 characters.
const PD_SUMMARY_MAX = 1024;

/** `text` cut to `max` characters, ending in an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Escapes Slack mrkdwn control characters. Entities come from Zoom (display names, topics) and are attacker-chosen:
 * unescaped, `<https://evil|Open runbook>` would render as a link.
 */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  info: ':information_source:',
  low: ':large_blue_circle:',
  medium: ':large_orange_circle:',
  high: ':red_circle:',
  critical: ':rotating_light:',
};

const isHttpUrl = (text: string) => /^https:\/\/[^\s<>|]+$/.test(text);

function entityLines(alert: Alert): string {
  const lines = Object.entries(alert.entities).map(([kind, value]) => `• ${kind}: ${slackEscape(truncate(value, 200))}`);
  return lines.length > 0 ? lines.join('\n') : '(none)';
}

/** Summary line shared by both channels: severity, title and the main entity. */
export function alertSummary(alert: Alert): string {
  const who = alert.entities.user_email ?? alert.entities.user_name ?? alert.entities.host_email ?? alert.entities.meeting_id;
  return `[${alert.severity.toUpperCase()}] ${alert.title}${who === undefined ? '' : ` (${who})`}`;
}

/**
 * A Slack incoming-webhook message for an alert: a fallback `text` and Block Kit blocks with the title, severity,
 * detection, entities, first/last seen, count and runbook (a link when it is an https URL, else a truncated excerpt).
 * Evidence rows are left out: they may hold personal data and stay in the `alerts` table (query by alert id).
 */
export function slackMessage(alert: NotifiableAlert): { text: string; blocks: unknown[] } {
  const count = alert.count ?? 1;
  const runbook = isHttpUrl(alert.runbook) ? `<${alert.runbook}|Open runbook>` : slackEscape(truncate(alert.runbook, RUNBOOK_MAX));
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, SLACK_FIELD_MAX) });
  return {
    text: truncate(slackEscape(alertSummary(alert)), SLACK_TEXT_MAX),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: truncate(`${alert.severity.toUpperCase()}: ${alert.title}`, SLACK_HEADER_MAX), emoji: false },
      },
      {
        type: 'section',
        fields: [
          field('Severity', `${SEVERITY_EMOJI[alert.severity]} ${alert.severity}`),
          field('Detection', `\`${slackEscape(alert.detection_id)}\``),
          field('First seen', alert.first_seen),
          field('Last seen', alert.last_seen),
          field('Source', alert.source),
          field('Raised', `${count} time${count === 1 ? '' : 's'} in window`),
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Entities*\n${entityLines(alert)}`, SLACK_TEXT_MAX) } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`*Runbook*\n${runbook}`, SLACK_TEXT_MAX) } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `alert \`${alert.alert_id}\`${alert.mitre.length > 0 ? ` · MITRE ${slackEscape(alert.mitre.join(', '))}` : ''}` },
        ],
      },
    ],
  };
}

/** PagerDuty's severities for zoomlake's. */
export const PAGERDUTY_SEVERITY: Readonly<Record<Severity, 'critical' | 'error' | 'warning' | 'info'>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

/** A PagerDuty Events API v2 trigger for an alert; `dedup_key` is the alert id, so a re-sent alert is one incident. */
export function pagerDutyEvent(alert: NotifiableAlert, routingKey: string): Record<string, unknown> {
  const e = alert.entities;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.alert_id,
    client: 'zoomlake',
    payload: {
      summary: truncate(alertSummary(alert), PD_SUMMARY_MAX),
      severity: PAGERDUTY_SEVERITY[alert.severity],
      // PagerDuty's "affected system": the user or meeting the alert is about.
      source: e.user_email ?? e.host_email ?? e.meeting_uuid ?? e.meeting_id ?? e.ip_address ?? 'zoom',
      timestamp: alert.first_seen,
      component: 'zoom',
      group: alert.detection_id.split('.').slice(0, 2).join('.'),
      class: alert.detection_id,
      custom_details: {
        alert_id: alert.alert_id,
        detection_id: alert.detection_id,
        severity: alert.severity,
        source: alert.source,
        first_seen: alert.first_seen,
        last_seen: alert.last_seen,
        count: alert.count ?? 1,
        entities: alert.entities,
        mitre: alert.mitre,
        evidence_rows: alert.evidence_total ?? alert.evidence.length,
        runbook: truncate(alert.runbook, RUNBOOK_MAX),
      },
    },
    ...(isHttpUrl(alert.runbook) ? { links: [{ href: alert.runbook, text: 'Runbook' }] } : {}),
  };
}

/** What an HTTP POST must offer; the global `fetch` Response fits. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** An HTTP POST; the adapter turns `timeoutMs` into an abort signal (the core sets no timers). */
export type HttpPost = (
  url: string,
  init: {
    readonly method: 'POST';
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    readonly timeoutMs?: number;
  },
) => Promise<HttpResponse>;

/** A notification that did not go through. Its message names the channel and status, never the URL or key. */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** How {@link postNotification} sends and retries. */
export interface PostDeps {
  readonly post: HttpPost;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random: () => number;
  /** Tries, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Backoff before the second try; doubles per try, with jitter. @default 500 */
  readonly baseDelayMs?: number;
  /** Longest wait between tries; a longer Retry-After ends the tries (the bus retries later). @default 8000 */
  readonly maxDelayMs?: number;
  /** Per-request timeout. @default 5000 */
  readonly timeoutMs?: number;
}

/** The outcome of a delivered notification. */
export interface PostResult {
  readonly status: number;
  readonly attempts: number;
}

const retryableStatus = (status: number) => status === 429 || status >= 500;

/** A short, safe reason from a response body: Slack answers error codes such as `invalid_payload`; anything else is dropped. */
function safeReason(body: string): string {
  const trimmed = body.trim();
  return /^[a-z_]{1,64}$/.test(trimmed) ? ` (${trimmed})` : '';
}

/** Names a network failure by its code or error name only: messages may quote the request. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  const cause = (error as { cause?: unknown }).cause;
  const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code ?? (error.name === 'TypeError' ? 'network error' : error.name);
}

/**
 * POSTs `body` as JSON to `url` for `channel`. Retries 429, 5xx, timeouts and network errors with exponential
 * backoff and jitter (honouring Retry-After up to `maxDelayMs`); never retries another 4xx. Throws a NotifyError
 * after the last failure, so EventBridge's retry policy and dead-letter queue take over.
 */
export async function postNotification(channel: NotifyChannel, url: string, body: unknown, deps: PostDeps): Promise<PostResult> {
  const maxAttempts = Math.max(1, deps.maxAttempts ?? 4);
  const base = deps.baseDelayMs ?? 500;
  const maxDelay = deps.maxDelayMs ?? 8_000;
  const json = JSON.stringify(body);
  let last = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const response = await deps.post(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: json,
        timeoutMs: deps.timeoutMs ?? 5_000,
      });
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) return { status: response.status, attempts: attempt };
      last = `HTTP ${response.status}${safeReason(text)}`;
      if (!retryableStatus(response.status)) throw new NotifyError(`${channel} rejected the notification: ${last}`, false, response.status);
      const header = Number(response.headers.get('retry-after'));
      if (Number.isFinite(header) && header > 0) retryAfterMs = header * 1000;
    } catch (error) {
      if (error instanceof NotifyError) throw error;
      last = networkReason(error);
    }
    if (attempt === maxAttempts) break;
    if (retryAfterMs !== undefined && retryAfterMs > maxDelay) {
      throw new NotifyError(`${channel} asked to retry after ${retryAfterMs / 1000} s: ${last}`, true);
    }
    const backoff = Math.min(maxDelay, base * 2 ** (attempt - 1));
    await deps.sleep(Math.max(retryAfterMs ?? 0, backoff / 2 + deps.random() * (backoff / 2)));
  }
  throw new NotifyError(`${channel} notification failed after ${maxAttempts} attempts: ${last}`, true);
}

/** Where and how the notifier sends one channel's notifications. */
export interface NotifierConfig {
  readonly channel: NotifyChannel;
  /** The Slack webhook URL or the PagerDuty routing key, read when needed (cached by the secret provider). */
  readonly secret: () => Promise<string>;
  /** The secret's name or ARN, for error messages (which never quote its value). */
  readonly secretName?: string;
  /** @default PAGERDUTY_EVENTS_URL */
  readonly pagerDutyUrl?: string;
  /** Notify archive replays too. @default false */
  readonly includeReplays?: boolean;
}

/** What the notifier did with one event; safe to log (ids and counts only). */
export type NotifyOutcome =
  | {
      readonly outcome: 'sent';
      readonly channel: NotifyChannel;
      readonly alertId: string;
      readonly detectionId: string;
      readonly status: number;
      readonly attempts: number;
    }
  | {
      readonly outcome: 'skipped_replay';
      readonly channel: NotifyChannel;
      readonly alertId: string;
      readonly detectionId: string;
      readonly replayName: string;
    };

/** The secret as stored: the bare value, or JSON with `webhookUrl` (Slack) or `routingKey` (PagerDuty); errors name it, never quote it. */
export function secretValue(channel: NotifyChannel, raw: string, secretName?: string): string {
  const field = channel === 'slack' ? 'webhookUrl' : 'routingKey';
  const the = `the ${channel} secret${secretName === undefined ? '' : ` "${secretName}"`}`;
  let value = raw.trim();
  if (value.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new NotifyError(`${the} is not valid JSON`, false);
    }
    const inner = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
    if (typeof inner !== 'string' || inner === '') throw new NotifyError(`${the} is JSON without a "${field}" string`, false);
    value = inner.trim();
  }
  if (channel === 'slack') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new NotifyError(`${the} is not a URL (expected the incoming webhook URL)`, false);
    }
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new NotifyError(`${the} must be an https URL`, false);
  } else if (!/^[A-Za-z0-9]{32}$/.test(value)) {
    throw new NotifyError(`${the} is not a 32-character integration (routing) key`, false);
  }
  return value;
}

/**
 * Sends one alert event to the configured channel: validates it, skips archive replays unless configured to include
 * them, formats the Slack message or PagerDuty trigger and posts it with retries.
 */
export async function notifyAlertEvent(event: unknown, config: NotifierConfig, deps: PostDeps): Promise<NotifyOutcome> {
  const parsed = alertBusEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new NotifyError(`not a zoomlake alert event: ${problems.join('; ')}`, false);
  }
  const { detail: alert } = parsed.data;
  const ids = { channel: config.channel, alertId: alert.alert_id, detectionId: alert.detection_id };
  const replayName = parsed.data['replay-name'];
  if (replayName !== undefined && !config.includeReplays) return { outcome: 'skipped_replay', ...ids, replayName };
  const secret = secretValue(config.channel, await config.secret(), config.secretName);
  const sent =
    config.channel === 'slack'
      ? await postNotification('slack', secret, slackMessage(alert), deps)
      : await postNotification('pagerduty', config.pagerDutyUrl ?? PAGERDUTY_EVENTS_URL, pagerDutyEvent(alert, secret), deps);
  return { outcome: 'sent', ...ids, ...sent };
}
