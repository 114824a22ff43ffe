import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { configViews, type ConfigView, type DetectionSettings } from '#core/detect/config-views.ts';
import { scheduledDetections, type Detection } from '#core/detect/detection.ts';
import { HIVE_TYPES } from '#core/schema/derive.ts';
import type { ColumnType } from '#core/schema/types.ts';
import type { NamedSql } from '../detections/load.ts';
import { prestoViewText } from './lake-catalog.ts';

/** Athena NamedQuery limits: name and description lengths. */
const MAX_NAME = 128;
const MAX_DESCRIPTION = 1024;

/** The lake column type of a config view column's Trino type. */
const COLUMN_TYPES: Readonly<Record<ConfigView['columns'][number]['type'], ColumnType>> = {
  varchar: 'string',
  integer: 'int',
  bigint: 'bigint',
  boolean: 'boolean',
  timestamp: 'timestamp',
};

/** Properties of {@link DetectionCatalog}. */
export interface DetectionCatalogProps {
  /** The Glue database of the lake; the config views are added to it. */
  readonly databaseName: string;
  /** The Athena workgroup the saved queries belong to. */
  readonly workGroupName: string;
  /** The configuration values the config views carry. */
  readonly settings: DetectionSettings;
  /**
   * The registry's detections (config overrides applied): their parameters become the `detection_parameters` view,
   * and each scheduled one is saved as a named query `detection/<id>`.
   */
  readonly detections: readonly Detection[];
  /** Hunting queries, each saved as a named query `hunting/<name>`. */
  readonly huntingQueries: readonly NamedSql[];
}

/**
 * What detections and hunters see in the Athena console: the config as Glue views (`internal_domains`,
 * `sensitive_meeting_patterns`, `watched_users`, `min_client_version`, `detection_parameters`), so detection SQL pastes in unchanged, and
 * every detection and hunting query as a saved (named) query in the workgroup.
 */
export class DetectionCatalog extends Construct {
  /** Config views by name. */
  readonly configViews: ReadonlyMap<string, glue.CfnTable>;
  /** Named queries by name (`detection/<id>`, `hunting/<name>`). */
  readonly namedQueries: ReadonlyMap<string, athena.CfnNamedQuery>;

  constructor(scope: Construct, id: string, props: DetectionCatalogProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const views = new Map<string, glue.CfnTable>();
    for (const view of configViews(props.settings, props.detections)) {
      const columns = view.columns.map((c) => ({ name: c.name, type: COLUMN_TYPES[c.type] }));
      views.set(
        view.name,
        new glue.CfnTable(this, `View-${view.name}`, {
          catalogId,
          databaseName: props.databaseName,
          tableInput: {
            name: view.name,
            description: view.description,
            tableType: 'VIRTUAL_VIEW',
            parameters: { presto_view: 'true', comment: 'Presto View' },
            partitionKeys: [],
            viewOriginalText: prestoViewText(view.sql, props.databaseName, columns),
            viewExpandedText: '/* Presto View */',
            storageDescriptor: { columns: columns.map((c) => ({ name: c.name, type: HIVE_TYPES[c.type] })) },
          },
        }),
      );
    }
    this.configViews = views;

    const queries = new Map<string, athena.CfnNamedQuery>();
    const save = (name: string, description: string, sql: string) => {
      if (name.length > MAX_NAME) throw new Error(`named query name "${name}" is longer than Athena's ${MAX_NAME} characters`);
      if (queries.has(name)) throw new Error(`two queries are both named "${name}"`);
      queries.set(
        name,
        new athena.CfnNamedQuery(this, `Query-${name}`, {
          name,
          description: description.slice(0, MAX_DESCRIPTION),
          database: props.databaseName,
          workGroup: props.workGroupName,
          queryString: sql,
        }),
      );
    };
    for (const d of scheduledDetections(props.detections)) {
      const days =
        d.daysSql === undefined
          ? ''
          : ` Run detection/${d.id}/days first and put its from_dt and to_dt, quoted, in place of :days_from and :days_to.`;
      save(
        `detection/${d.id}`,
        `${d.title} (${d.severity}, scheduled ${d.schedule}). Each ? is the run's end time as quoted ISO-8601 text, e.g. '2024-05-01T00:00:00Z'.${days}`,
        d.sql,
      );
      if (d.daysSql !== undefined)
        save(
          `detection/${d.id}/days`,
          `The days ${d.id}'s history lookups read (from_dt, to_dt). Each ? is the run's end time as quoted ISO-8601 text.`,
          d.daysSql,
        );
    }
    for (const q of props.huntingQueries) save(`hunting/${q.name}`, `zoomlake hunting query ${q.name}.`, q.sql);
    this.namedQueries = queries;
  }
}
