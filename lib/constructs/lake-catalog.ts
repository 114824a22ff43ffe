import { Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HIVE_TYPES, TRINO_TYPES, dedupViewSql, glueColumns, gluePartitionKeys, viewColumns } from '#core/schema/derive.ts';
import { rawTableName, tablePrefix } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import type { ColumnType, TableDef } from '#core/schema/types.ts';

/** The Glue catalog name Athena gives the account's Data Catalog. */
const ATHENA_CATALOG = 'awsdatacatalog';

/** Properties of {@link LakeCatalog}. */
export interface LakeCatalogProps {
  /** The bucket holding the Parquet lake under `zoom/<table>/`. */
  readonly lakeBucket: IBucket;
  /** First day (yyyy-MM-dd) partition projection covers. */
  readonly projectionStartDate: string;
  /**
   * Glue database name; Athena users, saved queries and detections refer to it, so it is fixed, not generated.
   * @default 'zoomlake'
   */
  readonly databaseName?: string;
  /**
   * The lake tables to catalogue.
   * @default every table of the schema registry (TABLES)
   */
  readonly tables?: readonly TableDef[];
}

/**
 * The Glue catalog of the lake: one database, and per table a physical `<name>_raw` Parquet table with partition
 * projection on `dt` plus the de-duplicating Athena view `<name>` that users and detections query.
 */
export class LakeCatalog extends Construct {
  /** The Glue database name. */
  readonly databaseName: string;
  /** The Glue database. */
  readonly database: glue.CfnDatabase;
  /** Physical tables by plain table name. */
  readonly rawTables: ReadonlyMap<string, glue.CfnTable>;
  /** De-duplicating views by plain table name. */
  readonly views: ReadonlyMap<string, glue.CfnTable>;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName ?? 'zoomlake';
    if (!/^[a-z0-9_]{1,255}$/.test(this.databaseName)) {
      throw new Error(`databaseName must be lower-case letters, digits and underscores (Athena lower-cases names), got "${this.databaseName}"`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(props.projectionStartDate)) {
      throw new Error(`projectionStartDate must be a date yyyy-mm-dd, got "${props.projectionStartDate}"`);
    }
    const catalogId = Stack.of(this).account;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: {
        name: this.databaseName,
        description: 'zoomlake: Zoom security telemetry. Query the views (plain table names); *_raw tables may hold duplicates.',
      },
    });

    const rawTables = new Map<string, glue.CfnTable>();
    const views = new Map<string, glue.CfnTable>();
    for (const def of props.tables ?? TABLES) {
      const raw = new glue.CfnTable(this, rawTableName(def), {
        catalogId,
        databaseName: this.databaseName,
        tableInput: rawTableInput(def, props.lakeBucket, props.projectionStartDate),
      });
      raw.addResourceDependency(this.database);
      rawTables.set(def.name, raw);

      const view = new glue.CfnTable(this, def.name, {
        catalogId,
        databaseName: this.databaseName,
        tableInput: viewTableInput(def, this.databaseName),
      });
      view.addResourceDependency(this.database);
      views.set(def.name, view);
    }
    this.rawTables = rawTables;
    this.views = views;
  }
}

function rawTableInput(def: TableDef, lake: IBucket, projectionStartDate: string): glue.CfnTable.TableInputProperty {
  const location = `s3://${lake.bucketName}/${tablePrefix(def)}/`;
  return {
    name: rawTableName(def),
    description: `${def.description} Physical table, at-least-once: query the view "${def.name}" instead.`.slice(0, 2048),
    tableType: 'EXTERNAL_TABLE',
    parameters: {
      classification: 'parquet',
      has_encrypted_data: 'true',
      // Projection instead of registered partitions: no crawler, no MSCK REPAIR, new days visible at once.
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${projectionStartDate},NOW`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': `${location}dt=\${dt}/`,
    },
    partitionKeys: gluePartitionKeys(),
    storageDescriptor: {
      location,
      inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      columns: glueColumns(def),
    },
  };
}

function viewTableInput(def: TableDef, databaseName: string): glue.CfnTable.TableInputProperty {
  return {
    name: def.name,
    description: `${def.description} De-duplicated view over ${rawTableName(def)}: one row per record_id and dt.`.slice(0, 2048),
    tableType: 'VIRTUAL_VIEW',
    parameters: { presto_view: 'true', comment: 'Presto View' },
    // Athena fails on a view whose PartitionKeys is absent rather than empty.
    partitionKeys: [],
    viewOriginalText: prestoViewText(dedupViewSql(def), databaseName, viewColumns(def)),
    viewExpandedText: '/* Presto View */',
    storageDescriptor: {
      columns: viewColumns(def).map((c) => ({ name: c.name, type: HIVE_TYPES[c.type] })),
    },
  };
}

/** One column of a Presto/Trino view definition. */
export interface PrestoViewColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * The `ViewOriginalText` Athena writes for `CREATE VIEW`: the Trino view definition, base64 JSON inside a comment.
 * The SQL names the raw table unqualified, so `schema` (the default schema it resolves in) is the database.
 */
export function prestoViewText(originalSql: string, databaseName: string, columns: readonly PrestoViewColumn[]): string {
  if (Token.isUnresolved(databaseName)) throw new Error('databaseName must be a literal string: it is encoded into the view text');
  const definition = {
    originalSql,
    catalog: ATHENA_CATALOG,
    schema: databaseName,
    columns: columns.map((c) => ({ name: c.name, type: TRINO_TYPES[c.type] })),
    // Definer rights carry no meaning in Athena, which checks the caller's own access to the raw table.
    runAsInvoker: false,
  };
  return `/* Presto View: ${Buffer.from(JSON.stringify(definition), 'utf8').toString('base64')} */`;
}
