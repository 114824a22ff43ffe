import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { LakeWriter } from '#core/lake/writer.ts';
import { glueColumns } from '#core/schema/derive.ts';
import { tableColumns } from '#core/schema/registry.ts';
import { TABLES } from '#core/schema/tables.ts';
import { LakeCatalog } from '../../lib/constructs/lake-catalog.ts';
import { testStack } from '../infra/helpers.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { sampleRow } from '../support/sample-rows.ts';

/**
 * What Athena engine v3 accepts for each declared Glue type (aws-reference §1): the exact physical width, and
 * timestamps as INT64 with a TIMESTAMP(MILLIS) logical type, never a bare INT64 or INT96.
 */
function athenaReads(
  glueType: string,
  el: { type?: string; converted_type?: string; logical_type?: { type: string; unit?: string; isAdjustedToUTC?: boolean } },
): boolean {
  switch (glueType) {
    case 'string':
      return el.type === 'BYTE_ARRAY' && el.converted_type === 'UTF8';
    case 'bigint':
      return el.type === 'INT64' && el.logical_type === undefined && el.converted_type === undefined;
    case 'int':
      return el.type === 'INT32' && el.logical_type === undefined;
    case 'double':
      return el.type === 'DOUBLE';
    case 'boolean':
      return el.type === 'BOOLEAN';
    case 'timestamp':
      return (
        el.type === 'INT64' && el.logical_type?.type === 'TIMESTAMP' && el.logical_type.unit === 'MILLIS' && el.logical_type.isAdjustedToUTC === true
      );
    default:
      return false;
  }
}

async function writeAndRead(tableName: string, count: number) {
  const store = new MemoryObjectStore();
  let n = 0;
  const writer = new LakeWriter({ store, clock: { now: () => Date.UTC(2024, 5, 1) }, newId: () => `f${++n}`, writerId: 'roundtrip' });
  const def = TABLES.find((t) => t.name === tableName)!;
  const rows = Array.from({ length: count }, (_, i) => sampleRow(def, i));
  for (const row of rows) {
    const added = writer.add(tableName, row);
    if (!added.ok) throw new Error(added.problems.join('; '));
  }
  const files = await writer.flush();
  const bytes = store.objects.get(files[0]!.key)!;
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { def, rows, files, metadata: parquetMetadata(file), read: await parquetReadObjects({ file }) };
}

/** The Glue storage columns of every `<name>_raw` table as the CDK app synthesizes them. */
function synthesizedGlueColumns(): Map<string, { Name: string; Type: string }[]> {
  const stack = testStack();
  new LakeCatalog(stack, 'Catalog', { lakeBucket: new Bucket(stack, 'Lake'), projectionStartDate: '2024-01-01' });
  const tables = Template.fromStack(stack).findResources('AWS::Glue::Table');
  const out = new Map<string, { Name: string; Type: string }[]>();
  for (const t of Object.values(tables)) {
    const input = t.Properties.TableInput as { Name: string; TableType: string; StorageDescriptor: { Columns: { Name: string; Type: string }[] } };
    if (input.TableType === 'EXTERNAL_TABLE') out.set(input.Name, input.StorageDescriptor.Columns);
  }
  return out;
}
const glueTables = synthesizedGlueColumns();

describe.each(TABLES.map((t) => t.name))('Parquet round trip: %s', (tableName) => {
  it('carries exactly the synthesized Glue columns, in order, with types Athena reads as declared', async () => {
    const { def, metadata } = await writeAndRead(tableName, 4);
    const leaves = metadata.schema.slice(1);
    const glue = glueTables.get(`${tableName}_raw`)!.map((c) => ({ name: c.Name, type: c.Type }));
    expect(glue.map((c) => c.name)).toEqual(glueColumns(def).map((c) => c.name));
    expect(leaves.map((el) => el.name)).toEqual(glue.map((c) => c.name));
    for (const [i, el] of leaves.entries()) {
      expect({ column: el.name, readable: athenaReads(glue[i]!.type, el) }).toEqual({ column: el.name, readable: true });
    }
  });

  it('marks NOT NULL columns REQUIRED and the rest OPTIONAL', async () => {
    const { def, metadata } = await writeAndRead(tableName, 2);
    expect(metadata.schema.slice(1).map((el) => el.repetition_type)).toEqual(tableColumns(def).map((c) => (c.nullable ? 'OPTIONAL' : 'REQUIRED')));
  });

  it('reads back every value it wrote', async () => {
    const { def, rows, read } = await writeAndRead(tableName, 6);
    // The sample rows all fall on one UTC day, so the one file holds them in the order they were added.
    expect(read.length).toBe(rows.length);
    for (const [i, got] of read.entries()) {
      for (const col of tableColumns(def)) {
        if (col.name === 'record_id' || col.name === 'ingested_at') continue;
        const want = rows[i]![col.name];
        const value = got[col.name];
        const normal = value instanceof Date ? value.getTime() : typeof value === 'bigint' ? Number(value) : value;
        expect({ column: col.name, value: normal }).toEqual({ column: col.name, value: want ?? null });
      }
    }
  });
});
