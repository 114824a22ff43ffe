/** The CloudWatch namespace of every zoomlake metric. */
export const METRICS_NAMESPACE = 'zoomlake';

/** Metric of the webhook function, dimension FunctionName: 1 per request whose event was verified and published, else 0. */
export const VERIFIED_EVENTS_METRIC = 'VerifiedEvents';

/**
 * One CloudWatch Embedded Metric Format line: each of `metrics` a Count in {@link METRICS_NAMESPACE}, under the one
 * dimension set made of `dimensions`. Write it straight to stdout: Lambda's JSON log format wraps console lines in an
 * envelope that CloudWatch does not read as EMF.
 */
export function emfLine(nowMs: number, dimensions: Readonly<Record<string, string>>, metrics: Readonly<Record<string, number>>): string {
  const names = Object.keys(metrics).map((name) => ({ Name: name, Unit: 'Count' }));
  return JSON.stringify({
    _aws: { Timestamp: nowMs, CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: names }] },
    ...dimensions,
    ...metrics,
  });
}
