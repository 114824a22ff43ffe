import type { ByteBuf } from './bytes.ts';

/* Thrift compact protocol: just what PageHeader and FileMetaData need. */

const CT_TRUE = 1;
const CT_FALSE = 2;
export const CT_I32 = 5;
const CT_I64 = 6;
export const CT_BINARY = 8;
const CT_LIST = 9;
export const CT_STRUCT = 12;

const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

/** Writes Thrift compact-protocol structs: field headers as id deltas, integers as zigzag varints. */
export class Thrift {
  private last = 0;
  private readonly stack: number[] = [];

  constructor(private readonly b: ByteBuf) {}

  private field(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.b.byte((delta << 4) | type);
    else {
      this.b.byte(type);
      this.b.varint(zigzag(id));
    }
    this.last = id;
  }

  i32(id: number, v: number): void {
    this.field(id, CT_I32);
    this.b.varint(zigzag(v));
  }

  i64(id: number, v: number): void {
    this.field(id, CT_I64);
    this.b.varint(zigzag(v));
  }

  bool(id: number, v: boolean): void {
    this.field(id, v ? CT_TRUE : CT_FALSE);
  }

  binary(id: number, bytes: Uint8Array): void {
    this.field(id, CT_BINARY);
    this.b.varint(bytes.length);
    this.b.append(bytes);
  }

  string(id: number, s: string): void {
    this.binary(id, Buffer.from(s, 'utf8'));
  }

  /** Opens a struct-typed field; close it with `end`. */
  struct(id: number): void {
    this.field(id, CT_STRUCT);
    this.stack.push(this.last);
    this.last = 0;
  }

  /** Opens one struct element of a list; close it with `end`. */
  element(): void {
    this.stack.push(this.last);
    this.last = 0;
  }

  end(): void {
    this.b.byte(0);
    this.last = this.stack.pop() ?? 0;
  }

  /** A list field header; the caller then writes `size` elements of `elemType`. */
  list(id: number, elemType: number, size: number): void {
    this.field(id, CT_LIST);
    if (size < 15) this.b.byte((size << 4) | elemType);
    else {
      this.b.byte(0xf0 | elemType);
      this.b.varint(size);
    }
  }

  elemI32(v: number): void {
    this.b.varint(zigzag(v));
  }

  elemString(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.b.varint(bytes.length);
    this.b.append(bytes);
  }
}
