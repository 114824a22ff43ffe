import type { ColumnType } from '../../schema/types.ts';

/* The parquet.thrift enum values the encoder writes, and the file's magic bytes. */

export const T_BOOLEAN = 0;
export const T_INT32 = 1;
export const T_INT64 = 2;
export const T_DOUBLE = 5;
export const T_BYTE_ARRAY = 6;
export const E_PLAIN = 0;
export const E_RLE = 3;
export const E_RLE_DICTIONARY = 8;
export const PAGE_DATA = 0;
export const PAGE_DICTIONARY = 2;
export const CONVERTED_UTF8 = 0;
export const CONVERTED_TIMESTAMP_MILLIS = 9;
export const CODEC_SNAPPY = 1;
export const REQUIRED = 0;
export const OPTIONAL = 1;

/** The physical type each schema column type is stored as. */
export const PHYSICAL: Readonly<Record<ColumnType, number>> = {
  string: T_BYTE_ARRAY,
  bigint: T_INT64,
  int: T_INT32,
  double: T_DOUBLE,
  boolean: T_BOOLEAN,
  timestamp: T_INT64,
};

/** A Parquet file starts and ends with these four bytes. */
export const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // PAR1
