import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DimensionsOf, MetricDefinition } from '#core/metrics.ts';

/**
 * The CloudWatch metric of a zoomlake metric definition (the one the handlers emit through), with its dimension values:
 * an alarm built on it reads exactly the namespace, name and dimension set the function writes.
 */
export function zoomlakeMetric<M extends MetricDefinition>(
  metric: M,
  dimensions: DimensionsOf<M>,
  options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: metric.namespace, metricName: metric.name, dimensionsMap: { ...dimensions }, ...options });
}

/**
 * An alarm in ALARM when `periods` consecutive periods (default 1) of `metric` reach `threshold` (default 1); no data
 * is not a breach. Every zoomlake alarm notifies the operational topic (buildApp adds the actions).
 */
export function alarmAtLeast(
  scope: Construct,
  id: string,
  description: string,
  metric: cloudwatch.IMetric,
  threshold = 1,
  periods = 1,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: periods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** `DeadLetterAlarm`: in ALARM while the dead-letter queue holds any message (visible messages, per minute). */
export function deadLetterAlarm(scope: Construct, queue: sqs.IQueue, description: string): cloudwatch.Alarm {
  return alarmAtLeast(
    scope,
    'DeadLetterAlarm',
    description,
    queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
  );
}
