import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { MEETING_NOT_READY } from '#core/correlate/contract.ts';
import type { CorrelationSettings } from '#core/correlate/settings.ts';
import { EXPOSURE_ATTR, EXPOSURE_PK_PREFIX, EXPOSURE_SK } from '#core/correlate/steps/store-exposure.ts';
import { RETRYABLE_TASK_ERROR, type CorrelationTask } from '#core/correlate/tasks.ts';
import type { ZoomPlan } from '#core/zoom/client.ts';
import { DASHBOARD_PLANS } from '#core/zoom/rate-limit.ts';
import type { CorrelationFunctions } from './correlation-workflow.ts';
import { StateTable } from './state-table.ts';
import type { ZoomlakeFunction } from './zoomlake-function.ts';

/**
 * The correlation state machine's definition, in a `Definition` scope under `parent`; the state names are the contract's
 * step names, which the local runner and its test share.
 */
export function correlationDefinition(
  parent: Construct,
  functions: CorrelationFunctions,
  settings: CorrelationSettings,
  plan: ZoomPlan,
  table: ITableV2,
): sfn.IChainable {
  const { fetch, exposure, correlate, alerts } = functions;
  // States live in their own scope: their ids are the state names, which the function constructs also use.
  const scope = new Construct(parent, 'Definition');
  const meeting = sfn.JsonPath.objectAt('$$.Execution.Input');
  const failed = new sfn.Fail(scope, 'CorrelationFailed', {
    comment: 'A step failed for good; the error and cause are those of the step.',
    errorPath: '$.Error',
    causePath: '$.Cause',
  });
  const done = new sfn.Succeed(scope, 'Done');

  const task = (name: CorrelationTask, fn: ZoomlakeFunction, payload: Record<string, unknown>, resultPath: string) => {
    // The definition invokes the unqualified function only, so the role may invoke exactly that ARN. LambdaInvoke grants
    // resourceArnsForGrantInvoke, which for a function, imported or not, adds `<arn>:*` (every version): narrowed here.
    const target = lambda.Function.fromFunctionAttributes(scope, `${name}Function`, { functionArn: fn.function.functionArn, sameEnvironment: true });
    Object.defineProperty(target, 'resourceArnsForGrantInvoke', { value: [fn.function.functionArn] });
    const t = new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: target,
      payload: sfn.TaskInput.fromObject({ task: name, ...payload }),
      payloadResponseOnly: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(fn.function.timeout ?? Duration.minutes(1)),
      // Lambda service errors (Lambda.ServiceException and the like) are retried by LambdaInvoke itself.
      retryOnServiceExceptions: true,
    });
    return t;
  };
  const notReadyRetry = {
    errors: [MEETING_NOT_READY],
    interval: Duration.seconds(settings.notReadyIntervalSeconds),
    backoffRate: 2,
    maxAttempts: settings.notReadyRetries,
  };
  const transient = (t: sfn.TaskStateBase) =>
    t
      .addRetry({
        errors: [RETRYABLE_TASK_ERROR, 'Lambda.TooManyRequestsException'],
        interval: Duration.seconds(30),
        backoffRate: 2,
        maxAttempts: 4,
        jitterStrategy: sfn.JitterType.FULL,
      })
      .addCatch(failed, { errors: [sfn.Errors.ALL] });

  const fetchParticipants = task('FetchParticipants', fetch, { meeting }, '$.fetchParticipants').addRetry(notReadyRetry);
  const fetchDetails = task('FetchDetails', fetch, { meeting }, '$.fetchDetails').addRetry(notReadyRetry);
  const exposureTask = task('Exposure', exposure, { meeting }, '$.exposure');
  // No logic in storing the summary: a DynamoDB service integration writes the item exposureItem() describes.
  const storeExposure = new tasks.DynamoPutItem(scope, 'StoreExposure', {
    table,
    item: {
      pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.format(`${EXPOSURE_PK_PREFIX}{}`, sfn.JsonPath.stringAt('$.exposure.meeting_uuid'))),
      sk: tasks.DynamoAttributeValue.fromString(EXPOSURE_SK),
      [EXPOSURE_ATTR]: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.exposure'))),
      [StateTable.TTL_ATTRIBUTE]: tasks.DynamoAttributeValue.numberFromString(
        sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.exposure.stored_until')),
      ),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  // The table is encrypted with the customer-managed key; DynamoDB uses it on the caller's behalf.
  storeExposure.addRetry({
    errors: [
      'DynamoDB.ProvisionedThroughputExceededException',
      'DynamoDB.ThrottlingException',
      'DynamoDB.InternalServerErrorException',
      'DynamoDB.RequestLimitExceeded',
    ],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 4,
    jitterStrategy: sfn.JitterType.FULL,
  });
  storeExposure.addCatch(failed, { errors: [sfn.Errors.ALL] });
  const correlateTask = task('Correlate', correlate, { summary: sfn.JsonPath.objectAt('$.exposure') }, '$.correlate');
  const raise = task('RaiseAlerts', alerts, { alerts: sfn.JsonPath.listAt('$.correlate.alerts') }, '$.raiseAlerts');
  // run.ts counts the first call too: notReadyRetries retries make notReadyRetries + 1 attempts.
  const unavailable = task('ParticipantsUnavailable', alerts, { meeting, attempts: settings.notReadyRetries + 1 }, '$.raiseAlerts');

  // Catchers are tried in order: the not-ready give-up paths before the catch-all.
  fetchParticipants.addCatch(unavailable, { errors: [MEETING_NOT_READY], resultPath: '$.notReady' });
  const detailsUnavailable = new sfn.Pass(scope, 'DetailsUnavailable', {
    comment: 'The dashboard never had the meeting within the retry bound: go on without details, as the local runner does.',
    result: sfn.Result.fromObject({ details: 0, available: false }),
    resultPath: '$.fetchDetails',
  });
  fetchDetails.addCatch(detailsUnavailable, { errors: [MEETING_NOT_READY], resultPath: '$.notReady' });
  for (const t of [fetchParticipants, fetchDetails, exposureTask, correlateTask, raise, unavailable]) transient(t);
  unavailable.next(done);

  const settingsPass = new sfn.Pass(scope, 'Settings', {
    comment: 'The configured Zoom plan, for the Choice below.',
    result: sfn.Result.fromObject({ plan }),
    resultPath: '$.settings',
  });
  const waitForReports = new sfn.Wait(scope, 'WaitForReports', {
    comment: 'Zoom completes its reports some minutes after the meeting ends (correlation.waitSeconds).',
    time: sfn.WaitTime.duration(Duration.seconds(settings.waitSeconds)),
  });
  const waitForWindow = new sfn.Wait(scope, 'WaitForDataAccessWindow', {
    comment: "Until the host's data-access window after the meeting is in the lake (the summary's correlate_after).",
    time: sfn.WaitTime.timestampPath('$.exposure.correlate_after'),
  });
  exposureTask.next(storeExposure).next(waitForWindow).next(correlateTask).next(raise).next(done);
  fetchDetails.next(exposureTask);
  detailsUnavailable.next(exposureTask);
  const hasDashboard = new sfn.Choice(scope, 'PlanHasDashboard', { comment: 'The dashboard API exists on Business and Enterprise plans only.' })
    .when(sfn.Condition.or(...DASHBOARD_PLANS.map((p) => sfn.Condition.stringEquals('$.settings.plan', p))), fetchDetails)
    .otherwise(exposureTask);
  return settingsPass.next(waitForReports).next(fetchParticipants).next(hasDashboard);
}
