// Type declarations for the untyped protocol emulators the integration tests run on loopback.

declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  /** Options of the in-process S3 emulator (only those the tests use). */
  export interface S3rverOptions {
    port?: number;
    address?: string;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** In-process S3 emulator. */
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}

declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** Options of the in-process DynamoDB emulator (only those the tests use). */
  export interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    path?: string;
  }

  /** Creates an in-process DynamoDB emulator as an unstarted HTTP server. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
