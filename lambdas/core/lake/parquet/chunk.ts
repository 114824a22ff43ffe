import type { ColumnDef } from '../../schema/types.ts';
import { PHYSICAL } from './format.ts';

/** What the footer says of one column chunk, filled in as its pages are written. */
export interface ChunkMeta {
  readonly col: ColumnDef;
  readonly physical: number;
  readonly numValues: number;
  start: number;
  dataPageOffset: number;
  dictionaryPageOffset: number;
  uncompressed: number;
  compressed: number;
  nullCount: number;
  min: Uint8Array | undefined;
  max: Uint8Array | undefined;
  minExact: boolean;
  maxExact: boolean;
  dictionaryPages: number;
  dictionaryDataPages: number;
  plainPages: number;
}

/** What the footer says of one row group. */
export interface RowGroupMeta {
  readonly numRows: number;
  readonly chunks: ChunkMeta[];
}

/** A column chunk of `numValues` rows starting at file offset `start`, before any page is written. */
export function newChunk(col: ColumnDef, numValues: number, start: number): ChunkMeta {
  return {
    col,
    physical: PHYSICAL[col.type],
    numValues,
    start,
    dataPageOffset: start,
    dictionaryPageOffset: -1,
    uncompressed: 0,
    compressed: 0,
    nullCount: 0,
    min: undefined,
    max: undefined,
    minExact: true,
    maxExact: true,
    dictionaryPages: 0,
    dictionaryDataPages: 0,
    plainPages: 0,
  };
}
