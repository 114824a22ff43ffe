import { tableColumns } from '#core/schema/registry.ts';
import type { CellValue, ColumnDef, Row, TableDef } from '#core/schema/types.ts';

const BASE = Date.UTC(2024, 4, 17, 9, 30, 15, 250);

function sampleValue(col: ColumnDef, i: number): CellValue {
  switch (col.type) {
    case 'string':
      return `${col.name}-${i % 7}-é`;
    case 'int':
      return 100 + i;
    case 'bigint':
      return 2 ** 40 + i;
    case 'double':
      return i + 0.5;
    case 'boolean':
      return i % 2 === 0;
    case 'timestamp':
      return BASE + i * 3_600_000 + 1;
  }
}

/** A row filling every column of the table (nullable ones NULL on odd rows), record_id and ingested_at left to the writer. */
export function sampleRow(def: TableDef, i: number): Row {
  const row: Record<string, CellValue> = {};
  for (const col of tableColumns(def)) {
    if (col.name === 'record_id' || col.name === 'ingested_at') continue;
    row[col.name] = col.nullable && i % 2 === 1 ? null : sampleValue(col, i);
  }
  return row;
}
