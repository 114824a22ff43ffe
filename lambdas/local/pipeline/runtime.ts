import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ZoomlakeConfig } from '#config/schema.ts';
import { LakeWriter } from '#core/lake/writer.ts';
import type { AlertDelivery, Clock } from '#core/ports.ts';
import type { DedupWindows } from '#core/alerts/suppressing-delivery.ts';
import type { DetectionRegistry } from '#core/detect/registry.ts';
import { loadRegistry } from '#lib/detections/load.ts';
import { dedupWindowsOf, localAlertDelivery } from './alerts.ts';
import { DuckDbQueryEngine } from '../adapters/duckdb-query-engine.ts';
import { localViews } from './local-tables.ts';
import { FileStateStore } from '../adapters/file-state/store.ts';
import { FsObjectStore } from '../adapters/fs-object-store.ts';
import { SystemClock } from '#runtime/system-clock.ts';
import { LocalWebhookPipeline } from './webhook-pipeline.ts';

/** The folder layout of a local deployment (DESIGN §10): `<dir>/lake`, `<dir>/state`, `<dir>/alerts.jsonl`. */
export interface LocalPaths {
  readonly dir: string;
  readonly lakeDir: string;
  readonly stateFile: string;
  readonly alertsFile: string;
}

/** Resolves the local folder layout under `dir`. */
export function localPaths(dir: string): LocalPaths {
  const root = resolve(dir);
  return { dir: root, lakeDir: join(root, 'lake'), stateFile: join(root, 'state', 'state.json'), alertsFile: join(root, 'alerts.jsonl') };
}

/** The local adapters behind the ports, composed once per CLI command. */
export interface LocalRuntime {
  readonly config: ZoomlakeConfig;
  /** The detection registry with the config's parameter overrides applied. */
  readonly registry: DetectionRegistry;
  readonly paths: LocalPaths;
  readonly clock: Clock;
  /** When this runtime was made: one process owns the folder, so claims older than this died with an earlier one. */
  readonly startedAt: number;
  readonly store: FsObjectStore;
  readonly state: FileStateStore;
  /** A lake writer naming its files after `writerId`. */
  writer(writerId: string): LakeWriter;
  /** The local bus -> queue -> lake writer chain for webhook events, spooled under `state/`. */
  webhookPipeline(): LocalWebhookPipeline;
  /** A DuckDB engine over the lake's views, the identity table (config `identity.localFile`) and the config views; the caller closes it. */
  openQueryEngine(): Promise<DuckDbQueryEngine>;
  /**
   * Alert delivery with suppression in `state/`, notified alerts in the lake's `alerts` table and `alerts.jsonl`;
   * windows default to each detection's `dedup.window`; `echo` gets one line per notified alert.
   */
  alertDelivery(options?: { readonly echo?: (line: string) => void; readonly windows?: DedupWindows }): AlertDelivery;
}

/**
 * Builds the local runtime for a config and a folder. Throws DetectionDefinitionError when the config's `detections`
 * overrides name an unknown detection or parameter, or a value out of bounds.
 */
export function makeLocalRuntime(config: ZoomlakeConfig, dir: string, clock: Clock = new SystemClock()): LocalRuntime {
  const registry = loadRegistry(config.detections);
  const paths = localPaths(dir);
  const store = new FsObjectStore(paths.lakeDir);
  const writer = (writerId: string) => new LakeWriter({ store, clock, newId: randomUUID, writerId });
  const state = new FileStateStore(paths.stateFile, clock);
  // One process owns the folder: an alert claim left undelivered before this runtime started died with its process.
  const startedAt = clock.now();
  return {
    config,
    registry,
    paths,
    clock,
    startedAt,
    store,
    state,
    writer,
    webhookPipeline: () =>
      new LocalWebhookPipeline(
        join(paths.dir, 'state', 'webhook-spool.jsonl'),
        join(paths.dir, 'state', 'webhook-dead-letters.jsonl'),
        () => writer('webhook-writer'),
        store,
      ),
    openQueryEngine: () => DuckDbQueryEngine.open({ lakeDir: paths.lakeDir, views: localViews(config, registry.detections) }),
    alertDelivery(options = {}) {
      return localAlertDelivery({
        state,
        newWriter: writer,
        clock,
        alertsFile: paths.alertsFile,
        windows: options.windows ?? dedupWindowsOf(registry.detections),
        echo: options.echo,
        claimsStaleBefore: startedAt,
      });
    },
  };
}
