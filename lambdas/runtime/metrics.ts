import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricDefinition } from '#core/metrics.ts';
import type { Clock } from '#core/ports.ts';
import type { HandlerLog } from './log.ts';

/**
 * Emits metrics that share one dimension set (one EMF line): each definition from `#core/metrics.ts` with its value,
 * under `dimensions`, the values of the definitions' dimension names.
 */
export type MetricSink = <D extends string>(
  dimensions: Readonly<Record<D, string>>,
  values: readonly (readonly [MetricDefinition<string, D>, number])[],
) => void;

/**
 * The deployed metric sink: Powertools for AWS Lambda Metrics, one EMF line to stdout per call, timestamped by `clock`,
 * with exactly the definitions' dimensions (Powertools' default `service` dimension is dropped: the alarms match the
 * definitions' dimension sets, and CloudWatch keys a metric by all of its dimensions). Powertools' own warnings go to
 * `log`.
 */
export function emfMetrics(clock: Clock, log: HandlerLog): MetricSink {
  const logger = {
    debug: () => undefined,
    info: (m: unknown) => log.info(String(m)),
    warn: (m: unknown) => log.warn(String(m)),
    error: (m: unknown) => log.error(String(m)),
  };
  const byNamespace = new Map<string, Metrics>();
  return (dimensions, values) => {
    const [first] = values;
    if (first === undefined) return;
    const [{ namespace, dimensions: names }] = first;
    const odd = values.find(([m]) => m.namespace !== namespace || m.dimensions.join() !== names.join());
    if (odd) throw new Error(`metric ${odd[0].name} does not share ${first[0].name}'s namespace and dimensions, so it needs a line of its own`);
    let metrics = byNamespace.get(namespace);
    if (metrics === undefined) {
      metrics = new Metrics({ namespace, logger });
      metrics.clearDefaultDimensions();
      byNamespace.set(namespace, metrics);
    }
    for (const name of names) metrics.addDimension(name, dimensions[name]);
    for (const [metric, value] of values) metrics.addMetric(metric.name, metric.unit, value);
    metrics.setTimestamp(clock.now());
    metrics.publishStoredMetrics();
  };
}
