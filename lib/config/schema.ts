import * as z from 'zod';
import { SEVERITIES } from '#core/alerts/alert.ts';
import { activityTypesProblem, DEFAULT_MEETING_ACTIVITY_TYPES, MEETING_ACTIVITY_TYPES } from '#core/poll/meeting-activities.ts';
import { configViews } from '#core/detect/config-views.ts';
import { DEFAULT_SUCCESS_VALUES } from '#core/detect/identity-view.ts';
import { DEFAULT_SUPPORT_NAMES, supportPhrase } from '#core/realtime/impersonation.ts';
import { topicPatternProblem } from '#core/patterns/matcher.ts';
import { rawTableName } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import { WEBHOOK_MAX_BODY_BYTES } from '#core/webhook/receive.ts';
import { ZOOM_PLANS } from '#core/zoom/rate-limit.ts';

/** Schedule expression accepted by EventBridge Scheduler: `rate(N unit)` or `cron(...)`. */
const schedule = z.string().regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/, 'must be "rate(N unit)" or "cron(...)"');

const email = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address')
  .transform((s) => s.toLowerCase());

const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i, 'must be a domain name such as example.com')
  .transform((s) => s.toLowerCase());

/** A whole email address (one person) or a domain name (everyone with an email on it). */
const emailOrDomain = z
  .string()
  .regex(/^([^@\s]+@[^@\s]+\.[^@\s]+|([a-z0-9-]+\.)+[a-z]{2,})$/i, 'must be an email address or a domain name such as example.com')
  .transform((s) => s.toLowerCase());

/** A regular expression in the syntax JavaScript, RE2 (DuckDB) and Trino read alike (lambdas/core/patterns/portable.ts). */
const regex = z
  .string()
  .min(1)
  .superRefine((s, ctx) => {
    const problem = topicPatternProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} ${problem}` });
  });

/** An IPv4 or IPv6 range in CIDR notation, as AWS WAF IP sets take it (a single address is /32 or /128; /0 is refused). */
const cidr = z
  .union([z.cidrv4(), z.cidrv6()], { error: 'must be an IPv4 or IPv6 range in CIDR notation, such as 3.7.35.0/25' })
  .refine((s) => !s.endsWith('/0'), 'must not be /0 (that is every address)');

const source = (defaults: { enabled: boolean; schedule: string }) =>
  z
    .object({ enabled: z.boolean().default(defaults.enabled), schedule: schedule.default(defaults.schedule) })
    .strict()
    .prefault({});

const severity = z.enum(SEVERITIES);

/** Where alerts matching a route go. Secrets (Slack URL, PagerDuty key) are named, never inlined. */
const routeTarget = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sns'), emails: z.array(email).default([]) }).strict(),
  z.object({ type: z.literal('sqs') }).strict(),
  z.object({ type: z.literal('lambda'), functionArn: z.string().regex(/^arn:aws[a-z-]*:lambda:/, 'must be a Lambda function ARN') }).strict(),
  z.object({ type: z.literal('slack'), webhookSecretName: z.string().min(1) }).strict(),
  z.object({ type: z.literal('pagerduty'), routingKeySecretName: z.string().min(1) }).strict(),
]);

const route = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be letters, digits and dashes, starting with a letter'),
    minSeverity: severity.default('medium'),
    detections: z.array(z.string().min(1)).optional(),
    target: routeTarget,
  })
  .strict();

/** A SQL identifier (table or column) safe to splice into a query. */
const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier (letters, digits, _)');
/** Where a table's data lives: `s3://bucket/` or `s3://bucket/prefix/`, a prefix IAM can grant. */
const s3Location = z
  .string()
  .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([^*?]*\/)?$/, 'must be s3://bucket/ or s3://bucket/prefix/ (ending in "/", no wildcards)');
const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'must be a KMS key ARN');
/** A Glue table, `table` in the lake's database or `database.table`. */
const glueTableName = z.string().regex(/^([a-z0-9_]+\.)?[a-z_][a-z0-9_]*$/, 'must be a Glue table name: table or database.table, lower case');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date yyyy-mm-dd');
const semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version such as "6.0.0"');

/** The schema of zoomlake.config.json: one definition, read by `bin/app.ts` and by the CLI. */
export const configSchema = z
  .object({
    /** Email domains of the organisation; participants from other domains are external. */
    internalDomains: z.array(domain).default([]),
    /**
     * Case-insensitive regular expressions matched against meeting topics. The defaults anchor words at their start
     * (`\bboard`), so "Onboarding", "dashboard" and "whiteboard" do not count as board meetings. Only the syntax every
     * engine reads alike is accepted: no lookaround, back-references, `\d`/`\w`/`\s`, `\p{...}` or nested repeats.
     */
    sensitiveMeetingPatterns: z
      .array(regex)
      .default(['\\bboard', '\\bm&a\\b|\\bmerger|\\bacquisition', '\\blayoff|reduction in force', '\\bearnings', '\\blegal\\b|privileged']),
    /** Emails of executives and other high-value users. */
    watchedUsers: z.array(email).default([]),
    /**
     * Outside people the organisation expects in its sensitive meetings (board members, outside counsel, auditors,
     * bankers): their emails, or their firms' email domains. A participant signed in to Zoom with such an email is
     * expected there; an unauthenticated guest is not, whatever email or name it types.
     */
    trustedExternals: z.array(emailOrDomain).default([]),
    /**
     * Display names that claim to be Zoom or the organisation's support (zoom.participant.impersonates_support). Compared
     * folded (case, spacing, "(guest)", digits for letters and look-alike letters do not matter); a one-word name must
     * be the whole display name, a longer one may stand anywhere in it. Replaces the default list when set.
     */
    supportNames: z
      .array(
        z
          .string()
          .min(1)
          .refine((s) => supportPhrase(s).trim() !== '', 'must contain letters'),
      )
      .default([...DEFAULT_SUPPORT_NAMES]),
    /** Oldest Zoom client version considered patched. */
    minClientVersion: semver.default('6.0.0'),
    /** The Zoom plan: decides which APIs exist and the rate limits. */
    planTier: z.enum(ZOOM_PLANS).default('business'),
    sources: z
      .object({
        activities: source({ enabled: true, schedule: 'rate(1 hour)' }),
        operation_logs: source({ enabled: true, schedule: 'rate(1 hour)' }),
        users: source({ enabled: true, schedule: 'rate(1 day)' }),
        meetings: source({ enabled: true, schedule: 'rate(1 hour)' }),
        participant_details: source({ enabled: true, schedule: 'rate(1 hour)' }),
        recordings: source({ enabled: true, schedule: 'rate(6 hours)' }),
        /**
         * The meeting audit trail (GET /report/meeting_activities): Business plans and higher, once Zoom Support has
         * turned it on; the app needs `report:read:meeting_activity_log:admin`. On a lower planTier it is off.
         */
        meeting_activities: z
          .object({
            enabled: z.boolean().default(true),
            schedule: schedule.default('rate(1 hour)'),
            /**
             * The `activity_type`s read, one Heavy request per type per window (Zoom takes one type a request). The
             * default is "Remote Control" alone: it is the only record of who was given control of whose screen, while
             * joins and leaves (participant reports, webhooks) and meeting starts and ends (meetings source, webhooks)
             * are collected already, and "In-Meeting Chat" may carry message text, which stays opt-in. "All
             * Activities" reads every type in one pass and must be listed alone.
             */
            activityTypes: z
              .array(z.enum(MEETING_ACTIVITY_TYPES))
              .default([...DEFAULT_MEETING_ACTIVITY_TYPES])
              .superRefine((types, ctx) => {
                const problem = activityTypesProblem(types);
                if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
              }),
          })
          .strict()
          .prefault({}),
        chat_messages: z
          .object({
            enabled: z.boolean().default(false),
            schedule: schedule.default('rate(1 day)'),
            /** Message text is collected only when this is true. */
            includeContent: z.boolean().default(false),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    webhook: z
      .object({
        /**
         * How old a signed request may be. Zoom retries about 5, 20 and 60 minutes apart (85 minutes after the
         * first attempt), and it is not documented whether a retry is signed anew, so 90 minutes keeps every retry.
         */
        replayWindowSeconds: z.number().int().min(30).max(86_400).default(5_400),
        /** Largest body accepted; larger requests get 413. */
        maxBodyBytes: z
          .number()
          .int()
          .min(1_024)
          .max(WEBHOOK_MAX_BODY_BYTES)
          .default(2 * 1024 * 1024),
        // The edge defaults are sized for a 10,000-user account (docs/adr/0007-webhook-edge-protection.md): its
        // top-of-the-hour peak is about 12,000 events in 3 minutes, 5,000 in the busiest minute, up to ~200 a second.
        /** Requests per second the API stage accepts before answering 429, from every source together (Zoom retries those). */
        throttlingRateLimit: z.number().int().min(1).max(10_000).default(300),
        /** Requests the stage accepts at once above the steady rate; at least the rate (API Gateway's account limit is 5,000). */
        throttlingBurstLimit: z.number().int().min(1).max(5_000).default(600),
        /** Requests one source IP may send in a minute before AWS WAF answers it 429 (WAF's minimum is 10). */
        perIpRequestsPerMinute: z.number().int().min(10).max(2_000_000_000).default(6_000),
        /**
         * When not empty, only these ranges reach the webhook (AWS WAF answers every other source 403): Zoom's published
         * IP ranges, which Zoom changes, so keep the list current. Empty lets every source through, each under the per-IP limit.
         */
        allowedSourceCidrs: z.array(cidr).default([]),
      })
      .strict()
      .prefault({}),
    /** State the realtime checks keep on the webhook stream (their thresholds are detection parameters: `detections`). */
    realtime: z
      .object({
        /** Hours live meeting state (topic, externals, join counters) is kept; recordings deleted later fall to the scheduled detection. */
        meetingStateHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(72),
        /** Hours a processed webhook is remembered, so Zoom's retries (up to ~85 minutes) are not counted twice. */
        idempotencyHours: z
          .number()
          .int()
          .min(2)
          .max(24 * 14)
          .default(48),
      })
      .strict()
      .prefault({}),
    /**
     * Detection parameters (thresholds, windows) by detection id, overriding the defaults in the detection's
     * detection.yml for every path that raises it: `{ "zoom.participant.join_burst_many_ips": { "parameters": { "min_ips": 15 } } }`.
     * Ids and parameter names are checked against the registry (queries/detections) by synth and the CLI.
     */
    detections: z
      .record(
        z.string().regex(/^zoom\.[a-z_]+\.[a-z0-9_]+$/, 'must be a detection id such as zoom.participant.join_burst_many_ips'),
        z.object({ parameters: z.record(z.string(), z.number().int('must be a whole number')).default({}) }).strict(),
      )
      .default({}),
    /** Share of Zoom's daily Heavy/Resource-intensive budget zoomlake may spend (other apps share it). */
    apiBudgetShare: z.number().gt(0).max(1).default(0.5),
    retention: z
      .object({
        /** Days lake objects are kept; 0 keeps them forever. */
        lakeDays: z.number().int().min(0).default(730),
        infrequentAccessAfterDays: z.number().int().min(30).default(30),
        glacierAfterDays: z.number().int().min(60).default(180),
        athenaResultsDays: z.number().int().min(1).default(30),
        accessLogDays: z.number().int().min(1).default(365),
      })
      .strict()
      .prefault({}),
    /**
     * The daily lake compaction (docs/cost.md): each closed day of every table rewritten as one de-duplicated file, so
     * Athena reads one object where the writers left hundreds.
     */
    compaction: z
      .object({
        enabled: z.boolean().default(true),
        /** When it runs (UTC). A quiet hour: a query that listed a day's files just before they are replaced fails and is retried. */
        schedule: schedule.default('cron(15 4 * * ? *)'),
        /** Days before yesterday compacted again on each run, folding in late writes (pollers re-reading yesterday). */
        lookbackDays: z.number().int().min(0).max(30).default(2),
      })
      .strict()
      .prefault({}),
    athena: z
      .object({
        /** Per-query scan cap enforced by the workgroup (Athena's minimum is 10 MB). */
        bytesScannedCutoffPerQuery: z
          .number()
          .int()
          .min(10 * 1024 * 1024)
          .default(10 * 1024 ** 3),
        /** First day partition projection covers. */
        projectionStartDate: isoDate.default('2024-01-01'),
      })
      .strict()
      .prefault({}),
    alerts: z
      .object({
        /** Days the alert bus archive keeps events for replay. */
        archiveDays: z.number().int().min(1).max(3650).default(90),
        routes: z.array(route).default([]),
      })
      .strict()
      .prefault({}),
    correlation: z
      .object({
        /** Whether meeting.ended starts the post-meeting correlation workflow. */
        enabled: z.boolean().default(true),
        /**
         * Which ended meetings are correlated. `needed`: only those a correlation detection needs (outsiders when
         * `dataAccess` is set, a sensitive topic, a watched host; docs/cost.md), the pollers and scheduled detections
         * covering the rest. `all`: every meeting, about 12 Step Functions state transitions, five function runs and
         * several Athena queries each.
         */
        meetings: z.enum(['needed', 'all']).default('needed'),
        /** Seconds after meeting.ended before Zoom's reports are read (they complete some minutes later). */
        waitSeconds: z.number().int().min(0).max(86_400).default(600),
        /** Retries of the participants report while Zoom says the meeting is not ready, before giving up with an alert. */
        notReadyRetries: z.number().int().min(0).max(20).default(6),
        /** First wait between those retries; each later wait doubles. */
        notReadyIntervalSeconds: z.number().int().min(1).max(3_600).default(120),
        /**
         * A table or view of data-access events in the lake's Glue database (e.g. CloudTrail S3 data events or a DLP
         * feed) and its columns; without it the data-access correlation is skipped. Locally, `localFile` (Parquet,
         * CSV or NDJSON) is exposed under the same table name.
         */
        dataAccess: z
          .object({
            table: identifier,
            userColumn: identifier,
            timeColumn: identifier,
            resourceColumn: identifier,
            /**
             * Where the table's data lives (`s3://bucket/prefix/`): the Correlate function may list and read objects
             * under it (Athena reads with the caller's credentials). Omit it only for a view over the lake's own tables.
             */
            s3Location: s3Location.optional(),
            /** The KMS key encrypting those objects (SSE-KMS), which the Correlate function may decrypt through S3. */
            kmsKeyArn: kmsKeyArn.optional(),
            localFile: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    /**
     * The identity input (docs/identity.md): a table or view of identity-provider sign-ins (Okta System Log, Microsoft
     * Entra sign-in logs, CloudTrail ConsoleLogin) with flat columns, and which column holds what. Detections read it
     * through the view `idp_signins`; without it that view is empty and zoom.activity.session_mismatch_idp raises
     * nothing. Locally, `localFile` (Parquet, CSV or NDJSON) is exposed under the table name.
     */
    identity: z
      .object({
        /** The table or view in the lake's Glue database (created by the stack when `createTable` is true). */
        table: identifier,
        /** The user's email, or text ending in it after a `/` or `:` (CloudTrail ARNs, principal ids). */
        userColumn: identifier,
        /** When the sign-in happened: a timestamp, or ISO-8601 text. */
        timeColumn: identifier,
        /** The client's IP address. */
        ipColumn: identifier,
        /** The country, as an ISO 3166-1 alpha-2 code or an English name. */
        countryColumn: identifier.optional(),
        /** The sign-in's outcome; without it every row counts as a successful sign-in. */
        outcomeColumn: identifier.optional(),
        /** Outcomes that mean success, compared case-insensitively as text (Okta SUCCESS, CloudTrail Success, Entra 0). */
        successValues: z
          .array(z.string().min(1))
          .min(1)
          .default([...DEFAULT_SUCCESS_VALUES]),
        /** The IdP's session id (evidence only). */
        sessionColumn: identifier.optional(),
        /** Which IdP the row comes from (evidence only). */
        providerColumn: identifier.optional(),
        /**
         * Whether the stack creates `table` as a Glue table over `s3Location`, reading NDJSON (optionally gzip) whose keys
         * are the mapped columns. False: the table or view already exists in the lake's Glue database.
         */
        createTable: z.boolean().default(false),
        /**
         * Glue tables `table` reads when it is a view (the raw Okta, Entra or CloudTrail table), `name` in the lake's
         * database or `database.name`: the detection runner may read their definitions too.
         */
        baseTables: z.array(glueTableName).default([]),
        /** Where the sign-ins' objects live (`s3://bucket/prefix/`): the detection runner may list and read them. */
        s3Location: s3Location.optional(),
        /** The KMS key encrypting those objects (SSE-KMS), which the detection runner may decrypt through S3. */
        kmsKeyArn: kmsKeyArn.optional(),
        /** Local mode only: the file (Parquet, CSV, TSV, JSON or NDJSON, relative to the working folder) standing for the table. */
        localFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    alarms: z
      .object({
        /** Emails subscribed to the operational alarm topic (every CloudWatch alarm of every stack, in ALARM and back to OK). */
        emails: z.array(email).default([]),
      })
      .strict()
      .prefault({}),
    /** Data is retained on stack deletion unless this is true AND the `zoomlake:allowDataDeletion` context is set. */
    allowDataDeletion: z.boolean().default(false),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    // Objects stay at least 30 days in Standard-IA before a further transition (the lake construct enforces it too).
    if (cfg.retention.glacierAfterDays < cfg.retention.infrequentAccessAfterDays + 30) {
      ctx.addIssue({ code: 'custom', path: ['retention', 'glacierAfterDays'], message: 'must be at least 30 days after infrequentAccessAfterDays' });
    }
    if (cfg.retention.lakeDays !== 0 && cfg.retention.lakeDays <= cfg.retention.glacierAfterDays) {
      ctx.addIssue({ code: 'custom', path: ['retention', 'lakeDays'], message: 'must be 0 (keep forever) or greater than glacierAfterDays' });
    }
    if (cfg.webhook.throttlingBurstLimit < cfg.webhook.throttlingRateLimit) {
      ctx.addIssue({ code: 'custom', path: ['webhook', 'throttlingBurstLimit'], message: 'must be at least webhook.throttlingRateLimit' });
    }
    if (cfg.identity !== undefined) {
      const { identity } = cfg;
      if (identity.createTable && identity.s3Location === undefined) {
        ctx.addIssue({ code: 'custom', path: ['identity', 's3Location'], message: 'is required when createTable is true (the table reads it)' });
      }
      const taken = [...TABLES.flatMap((t) => [t.name, rawTableName(t)]), ...configViews({ ...cfg, identity: undefined }, []).map((v) => v.name)];
      if (taken.includes(identity.table)) {
        ctx.addIssue({
          code: 'custom',
          path: ['identity', 'table'],
          message: `"${identity.table}" is a zoomlake table or view; name the identity table otherwise`,
        });
      }
    }
    const names = new Set<string>();
    cfg.alerts.routes.forEach((r, i) => {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['alerts', 'routes', i, 'name'], message: `duplicate route name "${r.name}"` });
      names.add(r.name);
    });
  });

/** A validated configuration with every default filled in. */
export type ZoomlakeConfig = z.output<typeof configSchema>;
/** What a user may write in zoomlake.config.json. */
export type ZoomlakeConfigInput = z.input<typeof configSchema>;

/**
 * Every default of zoomlake.config.json, as the schema fills them in for an empty file. Constructs fall back to these
 * for props left unset, so each default value is written once, in the schema above.
 */
export const CONFIG_DEFAULTS: ZoomlakeConfig = configSchema.parse({});
