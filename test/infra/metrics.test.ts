import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRICS, METRICS_NAMESPACE, type MetricDefinition } from '#core/metrics.ts';
import { buildApp } from '../../lib/app.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { capturedMetrics } from '../fakes/recording-log.ts';
import { TEST_ENV, testConfig } from './helpers.ts';
import { NO_BUNDLING } from './pipeline-helpers.ts';

/** A CloudWatch metric as an alarm or a metric filter names it in the template: namespace, name, dimension names. */
interface MetricRef {
  readonly where: string;
  readonly namespace: unknown;
  readonly name: unknown;
  readonly dimensions: readonly unknown[];
}

/** Every metric a template's alarms read (plain or inside metric math) and its metric filters write. */
function metricRefs(template: Template): MetricRef[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  return Object.entries(resources).flatMap(([id, { Type, Properties: p }]): MetricRef[] => {
    if (Type === 'AWS::CloudWatch::Alarm') {
      const plain =
        p.MetricName === undefined
          ? []
          : [{ where: id, namespace: p.Namespace, name: p.MetricName, dimensions: ((p.Dimensions ?? []) as { Name: string }[]).map((d) => d.Name) }];
      const math = ((p.Metrics ?? []) as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string }[] } } }[])
        .flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []))
        .map((m) => ({ where: id, namespace: m.Namespace, name: m.MetricName, dimensions: (m.Dimensions ?? []).map((d) => d.Name) }));
      return [...plain, ...math];
    }
    if (Type === 'AWS::Logs::MetricFilter') {
      return (p.MetricTransformations as { MetricNamespace: string; MetricName: string; Dimensions?: { Key: string }[] }[]).map((t) => ({
        where: id,
        namespace: t.MetricNamespace,
        name: t.MetricName,
        dimensions: (t.Dimensions ?? []).map((d) => d.Key),
      }));
    }
    return [];
  });
}

const definitions: readonly MetricDefinition[] = Object.values(METRICS);

describe('zoomlake metrics, one definition for the handlers and the alarms', () => {
  const built = buildApp(testConfig(), new App({ context: NO_BUNDLING }), TEST_ENV);
  const refs = [built.storage, built.pipeline, built.detections]
    .flatMap((stack) => metricRefs(Template.fromStack(stack)))
    .filter((r) => r.namespace === METRICS_NAMESPACE);

  it('has alarms on each metric a construct watches', () => {
    expect([...new Set(refs.map((r) => r.name))].sort()).toEqual([
      'BacklogDropped',
      'CursorAdvanced',
      'DetectionFailed',
      'VerifiedEvents',
      'WebhookThrottled',
    ]);
  });

  it('reads every zoomlake metric with the namespace, name and dimension set of its definition', () => {
    for (const ref of refs) {
      const definition = definitions.find((d) => d.name === ref.name);
      expect(definition, `${ref.where} reads ${String(ref.name)}, which has no definition`).toBeDefined();
      expect({ where: ref.where, namespace: ref.namespace, name: ref.name, dimensions: ref.dimensions }).toEqual({
        where: ref.where,
        namespace: definition?.namespace,
        name: definition?.name,
        dimensions: definition?.dimensions,
      });
    }
  });

  it.each(definitions.map((d) => [d.name, d] as const))('emits %s as EMF with exactly its definition', (_name, definition) => {
    const { sink, lines } = capturedMetrics(new FakeClock(Date.UTC(2026, 0, 1)));
    sink(Object.fromEntries(definition.dimensions.map((d) => [d, 'x'])), [[definition, 1]]);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        _aws: {
          Timestamp: Date.UTC(2026, 0, 1),
          CloudWatchMetrics: [
            { Namespace: definition.namespace, Dimensions: [definition.dimensions], Metrics: [{ Name: definition.name, Unit: definition.unit }] },
          ],
        },
        ...Object.fromEntries(definition.dimensions.map((d) => [d, 'x'])),
        [definition.name]: 1,
      },
    ]);
  });
});
