import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The runtime boundaries are lint rules (eslint.config.js): a planted import in each room must be reported, and the
 * allowed ones must not, so the rules are known to bite.
 */

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint: runtime boundaries', () => {
  it.each([
    [
      'a handler importing the local runtime',
      'lambdas/handlers/planted.handler.ts',
      "import { makeLocalRuntime } from '#local/pipeline/runtime.ts';",
      /must not depend on the local runtime/,
    ],
    [
      'a handler reaching into local by path',
      'lambdas/handlers/planted.handler.ts',
      "import { FsObjectStore } from '../local/adapters/fs-object-store.ts';",
      /must not depend on the local runtime/,
    ],
    [
      'an AWS adapter importing the local runtime',
      'lambdas/adapters/planted.ts',
      "import { FileStateStore } from '#local/adapters/file-state/store.ts';",
      /must not depend on the local runtime/,
    ],
    [
      'the shared runtime importing the local runtime',
      'lambdas/runtime/planted.ts',
      "import { makeLocalRuntime } from '#local/pipeline/runtime.ts';",
      /must not depend on the local runtime/,
    ],
    [
      'the shared runtime importing the AWS SDK',
      'lambdas/runtime/planted.ts',
      "import { S3Client } from '@aws-sdk/client-s3';",
      /shared with the local runtime: no AWS SDK or AWS adapter/,
    ],
    [
      'the shared runtime importing an AWS adapter',
      'lambdas/runtime/planted.ts',
      "import { S3ObjectStore } from '#adapters/s3-object-store.ts';",
      /shared with the local runtime: no AWS SDK or AWS adapter/,
    ],
    [
      'the shared runtime reaching an AWS adapter by path',
      'lambdas/runtime/planted.ts',
      "import { S3ObjectStore } from '../adapters/s3-object-store.ts';",
      /shared with the local runtime: no AWS SDK or AWS adapter/,
    ],
    [
      'local code importing an AWS adapter',
      'lambdas/local/planted.ts',
      "import { S3ObjectStore } from '#adapters/s3-object-store.ts';",
      /must not use AWS adapters or the AWS SDK/,
    ],
    [
      'local code importing the AWS SDK',
      'lambdas/local/planted.ts',
      "import { S3Client } from '@aws-sdk/client-s3';",
      /must not use AWS adapters or the AWS SDK/,
    ],
    [
      'local code climbing out to an AWS adapter by path',
      'lambdas/local/pipeline/planted.ts',
      "import { S3ObjectStore } from '../../adapters/s3-object-store.ts';",
      /reached by subpath import/,
    ],
    [
      'a nested local file climbing out by path',
      'lambdas/local/adapters/file-state/planted.ts',
      "import { DynamoStateStore } from '../../../adapters/dynamodb-state-store.ts';",
      /reached by subpath import/,
    ],
    [
      'a local adapter importing the pipeline',
      'lambdas/local/adapters/planted.ts',
      "import { makeLocalRuntime } from '../pipeline/runtime.ts';",
      /lambdas\/local\/adapters must not import/,
    ],
    [
      'the Zoom simulator importing the scenario',
      'lambdas/local/zoom-simulator/planted.ts',
      "import { score } from '../scenario/manifest.ts';",
      /lambdas\/local\/zoom-simulator must not import/,
    ],
    [
      'the scenario importing the CLI by subpath',
      'lambdas/local/scenario/planted.ts',
      "import { CliFailure } from '#local/cli/errors.ts';",
      /lambdas\/local\/scenario must not import/,
    ],
    [
      'the local pipeline importing the CLI',
      'lambdas/local/pipeline/planted.ts',
      "import { UsageError } from '../cli/errors.ts';",
      /lambdas\/local\/pipeline must not import/,
    ],
    [
      'the report importing the CLI by subpath',
      'lambdas/local/report/planted.ts',
      "import { formatTable } from '#local/cli/format.ts';",
      /lambdas\/local\/report must not import/,
    ],
    [
      'the terminal helpers importing the pipeline',
      'lambdas/local/terminal/planted.ts',
      "import { makeLocalRuntime } from '../pipeline/runtime.ts';",
      /lambdas\/local\/terminal must not import/,
    ],
    [
      'the core importing the shared runtime (a clock)',
      'lambdas/core/planted.ts',
      "import { SystemClock } from '#runtime/system-clock.ts';",
      /#runtime/,
    ],
  ])('%s is reported', async (_name, file, code, message) => {
    const messages = await restrictedImports(file, `${code}\nvoid 0;\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it.each([
    ['a handler importing the shared runtime', 'lambdas/handlers/planted.handler.ts', "import { SystemClock } from '#runtime/system-clock.ts';"],
    ['local code importing the shared runtime', 'lambdas/local/planted.ts', "import { httpFetch } from '#runtime/http-fetch.ts';"],
    ['an AWS adapter importing the core', 'lambdas/adapters/planted.ts', "import type { Clock } from '#core/ports.ts';"],
    ['the CLI importing a local adapter', 'lambdas/local/cli/planted.ts', "import { FsObjectStore } from '../adapters/fs-object-store.ts';"],
    [
      'a nested local adapter importing its neighbour',
      'lambdas/local/adapters/file-state/planted.ts',
      "import { syncDir } from '../durable-file.ts';",
    ],
    ['the scenario importing the Zoom simulator', 'lambdas/local/scenario/planted.ts', "import { isoSeconds } from '../zoom-simulator/org.ts';"],
    ['the pipeline importing the terminal helpers', 'lambdas/local/pipeline/planted.ts', "import { printable } from '../terminal/escape.ts';"],
    ['the report importing the pipeline', 'lambdas/local/report/planted.ts', "import { requireLake } from '../pipeline/lake-folder.ts';"],
    ['a local room importing the core', 'lambdas/local/zoom-simulator/planted.ts', "import type { Clock } from '#core/ports.ts';"],
  ])('%s is allowed', async (_name, file, code) => {
    expect(await restrictedImports(file, `${code}\nvoid 0;\n`)).toEqual([]);
  });
});
