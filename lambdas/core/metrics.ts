/*
 * Every CloudWatch metric zoomlake emits or derives: one definition each, which the handlers emit through
 * (lambdas/runtime/metrics.ts) and the constructs build their alarms from (lib/constructs/alarms.ts), so a name, a
 * unit or a dimension cannot drift between the two. Metric names are PascalCase (house style).
 */

/** The CloudWatch namespace of every zoomlake metric. */
export const METRICS_NAMESPACE = 'zoomlake';

/** A metric: where it lives, what it counts and the names of its one dimension set. */
export interface MetricDefinition<N extends string = string, D extends string = string> {
  readonly namespace: string;
  readonly name: N;
  readonly unit: 'Count';
  readonly dimensions: readonly D[];
}

/** Count metrics in {@link METRICS_NAMESPACE}, named by their keys, each with the dimension names given. */
function counts<const T extends Readonly<Record<string, readonly string[]>>>(
  dimensions: T,
): { readonly [N in keyof T & string]: MetricDefinition<N, T[N][number]> } {
  return Object.fromEntries(
    Object.entries(dimensions).map(([name, dims]) => [name, { namespace: METRICS_NAMESPACE, name, unit: 'Count', dimensions: dims }]),
  ) as {
    readonly [N in keyof T & string]: MetricDefinition<N, T[N][number]>;
  };
}

/** Every zoomlake metric by name. */
export const METRICS = counts({
  /** Detection runner, per detection and run: alerts raised (0 when the detection failed). */
  AlertsRaised: ['Detection'],
  /** Detection runner, per detection and run: 1 when the detection failed to run or to deliver its alerts, else 0. */
  DetectionFailed: ['Detection'],
  /** Poller, per source and run: 1 when the cursor moved (a window was written), else 0. */
  CursorAdvanced: ['Source'],
  /** Poller, per source and run: 1 when the plan or the app's scopes lack the source's API. */
  SourceDisabled: ['Source'],
  /** Poller, participant details: meetings the daily budget left for later runs. */
  BudgetSkipped: ['Source'],
  /** Poller, participant details: skipped meetings ranked high or elevated risk. */
  BudgetSkippedRisky: ['Source'],
  /** Poller, participant details: meetings given up (backlog full, or older than Zoom keeps them). */
  BacklogDropped: ['Source'],
  /** Webhook function, per request: 1 when its event was verified and published, else 0 (dimension set by Lambda). */
  VerifiedEvents: ['FunctionName'],
  /** Webhook API stage: a request refused with 429, counted from the access log by a metric filter. */
  WebhookThrottled: ['ApiId'],
});

/** A metric's dimension values, by its dimension names. */
export type DimensionsOf<M extends MetricDefinition> = { readonly [D in M['dimensions'][number]]: string };
