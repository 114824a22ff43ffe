import { CfnResource, Validations } from 'aws-cdk-lib';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { getTable, LAKE_ROOT, tablePrefix } from '#core/schema/registry.ts';
import { WEBHOOK_BODY_PREFIX } from '#core/webhook/receive.ts';
import type { CorrelationWorkflow } from '../constructs/correlation-workflow.ts';
import type { ZoomlakeDetectionsStack } from '../stacks/detections-stack.ts';
import type { ZoomlakePipelineStack } from '../stacks/pipeline-stack.ts';
import type { ZoomlakeStorageStack } from '../stacks/storage-stack.ts';

/**
 * Acknowledges one cdk-nag finding on exactly one CloudFormation resource. An L2 construct is narrowed to its
 * own resource so the acknowledgement never spreads to its children (bucket policies, custom resources).
 */
export function acknowledge(construct: IConstruct, ruleId: string, reason: string): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`cannot acknowledge ${ruleId} on ${construct.node.path}: it is not a CloudFormation resource`);
  }
  Validations.of(resource).acknowledge({ id: ruleId, reason });
}

/** Object prefixes the constructs grant, from their one definition in the core. */
const ALERTS = tablePrefix(getTable('alerts'));
const BODIES = WEBHOOK_BODY_PREFIX;
const table = (name: string) => tablePrefix(getTable(name));

/** Every cdk-nag acknowledgement in the storage stack, each with its reason. */
export function acknowledgeStorageFindings(stack: ZoomlakeStorageStack): void {
  acknowledge(
    stack.storage.logsBucket,
    'AwsSolutions-S1',
    'This is the server access logs bucket itself. Logging it into itself would log every log delivery, and a ' +
      'second logs bucket would only move the same finding.',
  );
}

/**
 * Acknowledges AwsSolutions-IAM5 on one IAM policy for exactly those wildcard resources that end with one of
 * `objectPrefixes` (such as `/webhook-bodies/*`). The finding ids come from cdk-nag's own rule, so they match
 * however the bucket ARN resolves; any other wildcard in the policy is left for cdk-nag to report.
 */
export function acknowledgeObjectPrefixGrants(policy: IConstruct, objectPrefixes: readonly string[], reason: string): void {
  const resource = policy.node.defaultChild ?? policy;
  if (!CfnResource.isCfnResource(resource))
    throw new Error(`cannot acknowledge AwsSolutions-IAM5 on ${policy.node.path}: it is not a CloudFormation resource`);
  const result = rules.iam.IAMNoWildcardPermissions(resource);
  const findings = Array.isArray(result) ? result : [];
  for (const prefix of objectPrefixes) {
    const matching = findings.filter((f) => f.startsWith('Resource::') && f.endsWith(prefix));
    if (matching.length === 0) throw new Error(`${policy.node.path} grants nothing under ${prefix}: the acknowledgement is stale`);
    for (const finding of matching) acknowledge(resource, `AwsSolutions-IAM5[${finding}]`, reason);
  }
}

/** Every cdk-nag acknowledgement in the pipeline stack, each with its reason. */
export function acknowledgePipelineFindings(stack: ZoomlakePipelineStack): void {
  const { webhook, lakeWriter, poller } = stack;
  const zoomAuthenticates =
    'Zoom cannot present IAM, Cognito, JWT or authorizer credentials; the function authenticates every request by ' +
    'its HMAC-SHA256 signature over the raw body with the webhook secret token and answers 401 to mis-signed or stale requests ' +
    '(requests without the signature headers are refused 400 by the request validator), behind the AWS WAF per-IP rate limit.';
  acknowledge(webhook.method, 'AwsSolutions-APIG4', zoomAuthenticates);
  acknowledge(webhook.method, 'AwsSolutions-COG4', zoomAuthenticates);
  acknowledge(
    webhook.api,
    'AwsSolutions-APIG2',
    'The validator requires both Zoom signature headers (x-zm-signature, x-zm-request-timestamp). The body is deliberately not ' +
      'validated by API Gateway: it is passed through as binary so the function can verify the HMAC over the exact bytes Zoom ' +
      'signed, and only a verified body is parsed (every Zoom event type, known or not, is accepted).',
  );
  acknowledge(
    webhook.stage,
    'AwsSolutions-APIG6',
    'Execution logging needs the account-wide API Gateway CloudWatch role (a per-account setting this app should not take ' +
      "over) and writes to a service-named log group outside the stack's key and retention. The stage's access log records " +
      'every request as JSON (source IP, status, WAF verdict, error type, integration status and error), never headers or bodies.',
  );
  acknowledge(
    webhook.secret,
    'AwsSolutions-SMG4',
    'The webhook secret token is issued by Zoom in the Marketplace app and cannot be rotated by a Lambda; when it is ' +
      'regenerated in Zoom the operator puts the new value in this secret.',
  );
  acknowledgeObjectPrefixGrants(
    webhook.handler.role.node.findChild('DefaultPolicy'),
    [`/${BODIES}/*`],
    `Bodies too large for an event are stored under ${BODIES}/ keyed by their SHA-256, unknown in advance; the grant is ` +
      's3:PutObject under that prefix only.',
  );
  acknowledgeObjectPrefixGrants(
    lakeWriter.writer.role.node.findChild('DefaultPolicy'),
    [`/${LAKE_ROOT}/*`, `/${BODIES}/*`],
    `The writer creates Parquet files under ${LAKE_ROOT}/<table>/dt=<day>/ with generated names and reads bodies stored by reference ` +
      `under ${BODIES}/; the grants are s3:PutObject and s3:GetObject under those prefixes only.`,
  );
  acknowledge(
    poller.credentials,
    'AwsSolutions-SMG4',
    'The Zoom Server-to-Server OAuth client secret is issued by Zoom in the Marketplace app and cannot be rotated by a Lambda; ' +
      'when it is regenerated in Zoom the operator puts the new credentials in this secret.',
  );
  acknowledge(
    poller.deadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is the dead-letter queue of the poller schedules (EventBridge Scheduler dead-letter config, which cdk-nag does ' +
      'not recognise); a dead-letter queue needs no dead-letter queue of its own, and its depth raises an alarm.',
  );
  acknowledgeObjectPrefixGrants(
    poller.poller.role.node.findChild('DefaultPolicy'),
    [`/${LAKE_ROOT}/*`],
    `The poller creates Parquet files under ${LAKE_ROOT}/<table>/dt=<day>/ with generated names; the grant is s3:PutObject under that prefix only.`,
  );
  if (stack.compaction) {
    acknowledge(
      stack.compaction.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the compaction schedule (EventBridge Scheduler dead-letter config, which cdk-nag does ' +
        'not recognise); a dead-letter queue needs no dead-letter queue of its own, and its depth raises an alarm.',
    );
    acknowledgeObjectPrefixGrants(
      stack.compaction.compactor.role.node.findChild('DefaultPolicy'),
      [`/${LAKE_ROOT}/*`],
      `The compaction reads every Parquet file of a closed day under ${LAKE_ROOT}/<table>/dt=<day>/, writes their de-duplicated ` +
        'replacement there and deletes the files it read, all with names generated by the writers; the grants are s3:GetObject, ' +
        `s3:PutObject and s3:DeleteObject under ${LAKE_ROOT}/ only (listing is limited to that prefix by condition).`,
    );
  }
}

/** Every cdk-nag acknowledgement in the detections stack, each with its reason. */
export function acknowledgeDetectionFindings(stack: ZoomlakeDetectionsStack): void {
  const { runner } = stack.runner;
  acknowledge(
    stack.runner.deadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is the dead-letter queue of the detection schedules (EventBridge Scheduler dead-letter config, which cdk-nag does ' +
      'not recognise); a dead-letter queue needs no dead-letter queue of its own, and its depth raises an alarm.',
  );
  acknowledgeObjectPrefixGrants(
    runner.role.node.findChild('DefaultPolicy'),
    [`/${LAKE_ROOT}/*`, `/${ALERTS}/*`, '/results/*'],
    `Athena reads the lake with the runner's credentials, so it may read objects under ${LAKE_ROOT}/ (the partitions of the tables ` +
      `its detections query, not known by name); it writes alert files with generated names under ${ALERTS}/ only, and ` +
      "query results under the workgroup's results/ prefix, whose names Athena generates.",
  );
  const identityLocation = stack.identity?.location;
  if (identityLocation !== undefined) {
    acknowledgeObjectPrefixGrants(
      runner.role.node.findChild('DefaultPolicy'),
      [`:::${identityLocation.slice('s3://'.length)}*`],
      "Athena reads the identity table's data (identity.s3Location) with the runner's credentials: s3:GetObject under that " +
        'location only, whose object names (identity-provider log exports) are not known in advance.',
    );
  }
  acknowledgeObjectPrefixGrants(
    stack.realtime.checks.role.node.findChild('DefaultPolicy'),
    [`/${BODIES}/*`, `/${ALERTS}/*`],
    `The realtime function reads webhook bodies stored by reference under ${BODIES}/, keyed by their SHA-256 and unknown ` +
      `in advance, and writes alert files with generated names under ${ALERTS}/; the grants are s3:GetObject and s3:PutObject ` +
      'under those prefixes only.',
  );
  if (stack.correlation) acknowledgeCorrelationFindings(stack.correlation);
  const alertDeadLetters = stack.alertRouter.deadLetterQueue;
  if (alertDeadLetters) {
    acknowledge(
      alertDeadLetters,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the alert routing rules and of the notifier functions (rule dead-letter config and ' +
        'Lambda on-failure destinations, which cdk-nag does not recognise); a dead-letter queue needs no dead-letter queue of its ' +
        'own, and its depth raises an alarm.',
    );
  }
}

/** The post-meeting correlation's acknowledgements (detections stack, when `correlation.enabled`). */
function acknowledgeCorrelationFindings(correlation: CorrelationWorkflow): void {
  const { fetch, exposure, correlate, alerts } = correlation.functions;
  acknowledge(
    correlation.stateMachine.role.node.findChild('DefaultPolicy'),
    'AwsSolutions-IAM5[Resource::*]',
    'Step Functions needs the CloudWatch Logs delivery actions (CreateLogDelivery, PutResourcePolicy, DescribeLogGroups and the ' +
      'like) and the X-Ray PutTraceSegments and sampling actions on *, as neither service supports resource-level permissions for them.',
  );
  acknowledgeObjectPrefixGrants(
    fetch.role.node.findChild('DefaultPolicy'),
    [`/${table('meeting_participants')}/*`, `/${table('participant_details')}/*`],
    `The fetch function creates Parquet files with generated names under ${table('meeting_participants')}/ and ${table('participant_details')}/; ` +
      'the grant is s3:PutObject under those two table prefixes only.',
  );
  for (const fn of [exposure, correlate]) {
    acknowledgeObjectPrefixGrants(
      fn.role.node.findChild('DefaultPolicy'),
      [`/${LAKE_ROOT}/*`, '/results/*'],
      `Athena reads the lake with the function's credentials, so it may read objects under ${LAKE_ROOT}/ (the partitions of the tables ` +
        "it queries, not known by name), and it writes query results under the workgroup's results/ prefix, whose names Athena generates.",
    );
  }
  if (correlation.dataAccessLocation !== undefined) {
    acknowledgeObjectPrefixGrants(
      correlate.role.node.findChild('DefaultPolicy'),
      [`:::${correlation.dataAccessLocation.slice('s3://'.length)}*`],
      "Athena reads the configured data-access table (correlation.dataAccess.s3Location) with the function's credentials: " +
        's3:GetObject under that location only, whose object names (e.g. CloudTrail log files) are not known in advance.',
    );
  }
  acknowledgeObjectPrefixGrants(
    alerts.role.node.findChild('DefaultPolicy'),
    [`/${ALERTS}/*`],
    `The alerts function writes alert files with generated names under ${ALERTS}/; the grant is s3:PutObject under that prefix only.`,
  );
  acknowledgeObjectPrefixGrants(
    correlation.starter.role.node.findChild('DefaultPolicy'),
    [`/${BODIES}/*`],
    `The starter reads webhook bodies stored by reference under ${BODIES}/, keyed by their SHA-256 and unknown in advance; ` +
      'the grant is s3:GetObject under that prefix only.',
  );
  acknowledge(
    correlation.deadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is the dead-letter queue of the meeting.ended rule and of the starter function (rule dead-letter config and a ' +
      'Lambda on-failure destination, which cdk-nag does not recognise); a dead-letter queue needs no dead-letter queue of its ' +
      'own, and its depth raises an alarm.',
  );
}
