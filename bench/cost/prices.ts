/**
 * Every unit price the cost model uses (`npm run bench`, docs/cost.md), for us-east-1, in US dollars, read on the date
 * given. AWS renders most figures on its pricing pages client-side, so where the page text shows no number the figure
 * was checked against a second public copy, named in `source` too. Prices change: re-read them before relying on a
 * total, and change them here only (the model and the docs read this file).
 */

/** The region every price is for. */
export const REGION = 'us-east-1';
/** When the prices were read. */
export const PRICES_READ = '2026-12-06';

/** One unit price: dollars per `per` units of `unit`, with an always-free monthly allowance where AWS grants one. */
export interface Price {
  readonly usd: number;
  /** How many units `usd` buys (1 for per-unit prices, 1e6 for "per million"). */
  readonly per: number;
  readonly unit: string;
  /** Units free every month for every account (not the 12-month new-account tier), if any. */
  readonly freePerMonth?: number;
  readonly source: string;
}

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-s; also artillery prices.js, aws-reference.md)';
const S3 = 'https://aws.amazon.com/s3/pricing/ (first 50 TB; request prices also athena.guide "Athena Basics: Pricing Model")';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/ (free tier as listed there; paid rates also signoz.io CloudWatch pricing guide)';

/** The unit prices, by name. */
export const PRICES = {
  lambdaArmGbSecond: { usd: 0.0000133334, per: 1, unit: 'GB-second (arm64)', freePerMonth: 400_000, source: LAMBDA },
  lambdaX86GbSecond: { usd: 0.0000166667, per: 1, unit: 'GB-second (x86_64)', freePerMonth: 400_000, source: LAMBDA },
  lambdaRequests: { usd: 0.2, per: 1e6, unit: 'requests', freePerMonth: 1e6, source: LAMBDA },
  restApiRequests: {
    usd: 3.5,
    per: 1e6,
    unit: 'REST API requests (first 333 million)',
    source: 'https://aws.amazon.com/api-gateway/pricing/ and docs.aws.amazon.com whitepaper "Best Practices for API Gateway Private APIs", Table 4',
  },
  httpApiRequests: {
    usd: 1.0,
    per: 1e6,
    unit: 'HTTP API requests (first 300 million; not deployed: no WAF on HTTP APIs)',
    source: 'https://aws.amazon.com/api-gateway/pricing/ and aws-reference.md section 6',
  },
  wafWebAcl: { usd: 5.0, per: 1, unit: 'web ACL-month', source: 'https://aws.amazon.com/waf/pricing/ (also c3x.dev "AWS WAF cost explained")' },
  wafRule: { usd: 1.0, per: 1, unit: 'rule-month', source: 'https://aws.amazon.com/waf/pricing/' },
  wafRequests: { usd: 0.6, per: 1e6, unit: 'requests inspected', source: 'https://aws.amazon.com/waf/pricing/' },
  sqsRequests: {
    usd: 0.4,
    per: 1e6,
    unit: 'standard-queue requests (each 64 KB chunk of a payload is one)',
    freePerMonth: 1e6,
    source: 'https://aws.amazon.com/sqs/pricing/ (also cloudburn.io "Amazon SQS Pricing")',
  },
  eventBridgeCustomEvents: {
    usd: 1.0,
    per: 1e6,
    unit: 'custom events published (64 KB chunks)',
    source: 'https://aws.amazon.com/eventbridge/pricing/ (also cloudburn.io "Amazon EventBridge Pricing")',
  },
  eventBridgeArchiveGb: { usd: 0.1, per: 1, unit: 'GB archived (processing)', source: 'https://aws.amazon.com/eventbridge/pricing/' },
  schedulerInvocations: {
    usd: 1.0,
    per: 1e6,
    unit: 'EventBridge Scheduler invocations',
    freePerMonth: 14e6,
    source: 'https://aws.amazon.com/eventbridge/pricing/ (Scheduler)',
  },
  s3StandardGbMonth: { usd: 0.023, per: 1, unit: 'GB-month, S3 Standard', source: S3 },
  s3StandardIaGbMonth: { usd: 0.0125, per: 1, unit: 'GB-month, S3 Standard-IA (128 KB minimum billable object size)', source: S3 },
  s3GlacierIrGbMonth: { usd: 0.004, per: 1, unit: 'GB-month, S3 Glacier Instant Retrieval', source: S3 },
  s3PutRequests: { usd: 0.005, per: 1000, unit: 'PUT, COPY, POST, LIST requests (S3 Standard)', source: S3 },
  s3GetRequests: { usd: 0.0004, per: 1000, unit: 'GET and other requests (S3 Standard)', source: S3 },
  s3TransitionToIa: { usd: 0.01, per: 1000, unit: 'lifecycle transitions to Standard-IA', source: S3 },
  athenaTbScanned: {
    usd: 5.0,
    per: 1,
    unit: 'TB scanned, each query rounded up to the megabyte with a 10 MB minimum',
    source: 'https://aws.amazon.com/athena/pricing/ (also athena.guide "Athena Basics: Pricing Model", rcpedia.stanford.edu Athena)',
  },
  glueRequests: {
    usd: 1.0,
    per: 1e6,
    unit: 'Data Catalog requests',
    freePerMonth: 1e6,
    source: 'https://aws.amazon.com/glue/pricing/ (first million objects stored and requests free)',
  },
  dynamoWriteRequestUnits: {
    usd: 0.625,
    per: 1e6,
    unit: 'on-demand write request units (1 KB)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ after the November 2024 cut (also airbyte.com "DynamoDB pricing")',
  },
  dynamoReadRequestUnits: {
    usd: 0.125,
    per: 1e6,
    unit: 'on-demand read request units (4 KB strongly consistent read)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ after the November 2024 cut',
  },
  dynamoStorageGbMonth: {
    usd: 0.25,
    per: 1,
    unit: 'GB-month stored (Standard table class)',
    freePerMonth: 25,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  dynamoPitrGbMonth: { usd: 0.2, per: 1, unit: 'GB-month of point-in-time recovery', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  sfnStandardTransitions: {
    usd: 0.025,
    per: 1000,
    unit: 'Standard workflow state transitions (retries count)',
    freePerMonth: 4000,
    source: 'https://aws.amazon.com/step-functions/pricing/ and aws-reference.md section 4',
  },
  sfnExpressRequests: {
    usd: 1.0,
    per: 1e6,
    unit: 'Express workflow requests (not deployed: a correlation waits longer than Express allows)',
    source: 'https://aws.amazon.com/step-functions/pricing/ (also wring.co Step Functions pricing)',
  },
  sfnExpressGbSecond: {
    usd: 0.00001667,
    per: 1,
    unit: 'Express workflow GB-second (64 MB steps)',
    source: 'https://aws.amazon.com/step-functions/pricing/ (also wring.co Step Functions pricing)',
  },
  kmsKeyMonth: {
    usd: 1.0,
    per: 1,
    unit: 'customer-managed key-month (each of the first two automatic rotations adds $1)',
    source: 'https://aws.amazon.com/kms/pricing/',
  },
  kmsRequests: { usd: 0.03, per: 10_000, unit: 'symmetric key requests', freePerMonth: 20_000, source: 'https://aws.amazon.com/kms/pricing/' },
  secretMonth: {
    usd: 0.4,
    per: 1,
    unit: 'secret-month',
    source: 'https://aws.amazon.com/secrets-manager/pricing/ (also hivebook.wiki Secrets Manager)',
  },
  secretApiCalls: { usd: 0.05, per: 10_000, unit: 'API calls', source: 'https://aws.amazon.com/secrets-manager/pricing/' },
  cloudWatchAlarmMetric: {
    usd: 0.1,
    per: 1,
    unit: 'standard-resolution alarm metric-month (an anomaly-detection alarm counts 3)',
    freePerMonth: 10,
    source: CLOUDWATCH,
  },
  cloudWatchCustomMetric: { usd: 0.3, per: 1, unit: 'custom metric-month (first 10,000)', freePerMonth: 10, source: CLOUDWATCH },
  cloudWatchLogsIngestedGb: { usd: 0.5, per: 1, unit: 'GB of logs ingested (standard class)', freePerMonth: 5, source: CLOUDWATCH },
  cloudWatchLogsStoredGbMonth: { usd: 0.03, per: 1, unit: 'GB-month of logs archived (compressed)', source: CLOUDWATCH },
  xrayTraces: {
    usd: 5.0,
    per: 1e6,
    unit: 'traces recorded (the state machine is traced)',
    freePerMonth: 100_000,
    source: 'https://aws.amazon.com/xray/pricing/',
  },
} as const satisfies Record<string, Price>;

/** A price's name. */
export type PriceName = keyof typeof PRICES;

/** What `quantity` units cost, without (`free: false`) or with the price's always-free monthly allowance. */
export function costOf(name: PriceName, quantity: number, free = false): number {
  const p: Price = PRICES[name];
  const billable = free ? Math.max(0, quantity - (p.freePerMonth ?? 0)) : quantity;
  return (billable / p.per) * p.usd;
}
