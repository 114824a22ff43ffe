import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TRINO_TYPES, HIVE_TYPES, dedupViewSql, glueColumns, gluePartitionKeys, viewColumns } from '#core/schema/derive.ts';
import { rawTableName } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import { LakeCatalog, type LakeCatalogProps, prestoViewText } from '../../lib/constructs/lake-catalog.ts';
import { logicalIdOf, testStack } from './helpers.ts';

const LAKE = 'zl-test-lake';

function build(props: Partial<LakeCatalogProps> = {}) {
  const stack = testStack();
  const lakeBucket = Bucket.fromBucketName(stack, 'Lake', LAKE);
  const catalog = new LakeCatalog(stack, 'Catalog', { lakeBucket, projectionStartDate: '2024-03-01', ...props });
  return { catalog, template: Template.fromStack(stack) };
}

const { catalog, template } = build();

interface TableInput {
  Name: string;
  TableType: string;
  Parameters: Record<string, string>;
  PartitionKeys: unknown[];
  StorageDescriptor: Record<string, unknown>;
  ViewOriginalText?: string;
  ViewExpandedText?: string;
}

/** The TableInput of the Glue table with this name; fails the test when there is not exactly one. */
function tableInput(name: string): TableInput {
  const found = Object.values(template.findResources('AWS::Glue::Table', { Properties: { TableInput: { Name: name } } }));
  expect(found, `Glue tables named ${name}`).toHaveLength(1);
  return (found[0] as { Properties: { TableInput: TableInput } }).Properties.TableInput;
}

/** Decodes the Trino view definition Athena reads from ViewOriginalText. */
function decodePrestoView(text: string): Record<string, unknown> {
  const match = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(text);
  expect(match, 'ViewOriginalText format').not.toBeNull();
  return JSON.parse(Buffer.from(match![1]!, 'base64').toString('utf8')) as Record<string, unknown>;
}

describe('LakeCatalog', () => {
  it('creates the Glue database "zoomlake" by default', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', { CatalogId: '123456789012', DatabaseInput: { Name: 'zoomlake' } });
  });

  it('uses the databaseName prop for the database and every table', () => {
    const custom = build({ databaseName: 'zoom_sec' });
    custom.template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'zoom_sec' } });
    custom.template.resourcePropertiesCountIs('AWS::Glue::Table', { DatabaseName: 'zoom_sec' }, TABLES.length * 2);
  });

  it('creates exactly one raw table and one view per registry table', () => {
    template.resourceCountIs('AWS::Glue::Table', TABLES.length * 2);
    expect([...catalog.rawTables.keys()]).toEqual(TABLES.map((t) => t.name));
    expect([...catalog.views.keys()]).toEqual(TABLES.map((t) => t.name));
  });

  it('creates every table after the database', () => {
    const tables = Object.values(template.findResources('AWS::Glue::Table')) as { DependsOn?: string[] }[];
    for (const table of tables) expect(table.DependsOn).toContain(logicalIdOf(catalog.database));
  });

  describe.each(TABLES.map((def) => [def.name, def] as const))('table %s', (name, def) => {
    it('has an external Parquet table <name>_raw at s3://<lake>/zoom/<name>/', () => {
      const input = tableInput(rawTableName(def));
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.StorageDescriptor).toMatchObject({
        Location: `s3://${LAKE}/zoom/${name}/`,
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      });
    });

    it('declares exactly the registry columns on the raw table, partitioned by dt', () => {
      const input = tableInput(rawTableName(def));
      expect(input.StorageDescriptor.Columns).toEqual(glueColumns(def).map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })));
      expect(input.PartitionKeys).toEqual(gluePartitionKeys().map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })));
      expect(input.PartitionKeys).toEqual([expect.objectContaining({ Name: 'dt', Type: 'string' })]);
    });

    it('projects dt partitions daily from the start date, so no crawler or MSCK REPAIR is needed', () => {
      expect(tableInput(rawTableName(def)).Parameters).toEqual({
        classification: 'parquet',
        has_encrypted_data: 'true',
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': '2024-03-01,NOW',
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
        'storage.location.template': `s3://${LAKE}/zoom/${name}/dt=\${dt}/`,
      });
    });

    it('has a de-duplicating Athena view with the plain name', () => {
      const input = tableInput(name);
      expect(input).toMatchObject({
        TableType: 'VIRTUAL_VIEW',
        Parameters: { presto_view: 'true', comment: 'Presto View' },
        PartitionKeys: [],
        ViewExpandedText: '/* Presto View */',
      });
      expect(input.StorageDescriptor.Columns).toEqual(viewColumns(def).map((c) => ({ Name: c.name, Type: HIVE_TYPES[c.type] })));
    });

    it('encodes dedupViewSql and the view columns in the view text Athena reads', () => {
      const view = decodePrestoView(tableInput(name).ViewOriginalText ?? '');
      expect(view).toEqual({
        originalSql: dedupViewSql(def),
        catalog: 'awsdatacatalog',
        schema: 'zoomlake',
        columns: viewColumns(def).map((c) => ({ name: c.name, type: TRINO_TYPES[c.type] })),
        runAsInvoker: false,
      });
    });
  });

  it('builds the view text from the SQL, database and columns it is given', () => {
    const view = decodePrestoView(prestoViewText('SELECT 1 AS x', 'other_db', [{ name: 'x', type: 'int' }]));
    expect(view).toMatchObject({ originalSql: 'SELECT 1 AS x', schema: 'other_db', columns: [{ name: 'x', type: 'integer' }] });
  });

  it.each([['Zoomlake'], ['zoom-lake'], ['']])('rejects the database name %j, which Athena cannot use as written', (bad) => {
    expect(() => build({ databaseName: bad })).toThrow(/databaseName must be lower-case letters, digits and underscores/);
  });

  it('rejects a projection start date that is not yyyy-mm-dd', () => {
    expect(() => build({ projectionStartDate: '2024/01/01' })).toThrow(/projectionStartDate must be a date yyyy-mm-dd/);
  });
});
