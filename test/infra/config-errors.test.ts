import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'zoomlake-config-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A whole synth bundles every function; on a loaded 2-core machine it has taken over a minute.
const SYNTH_MS = 240_000;

/** Runs bin/app.ts as `cdk synth` would (CDK_OUTDIR set), with the config file given by name. */
function synth(name: string, contents: string, via: 'env' | 'context' = 'env') {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, contents);
  const outdir = mkdtempSync(join(dir, 'out-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir, CDK_DEFAULT_REGION: 'eu-west-1' };
  delete env.ZOOMLAKE_CONFIG;
  if (via === 'env') env.ZOOMLAKE_CONFIG = file;
  else env.CDK_CONTEXT_JSON = JSON.stringify({ config: file });
  const run = spawnSync(TSX, ['bin/app.ts'], { cwd: ROOT, env, encoding: 'utf8', timeout: SYNTH_MS });
  return { status: run.status, stderr: run.stderr, outdir };
}

describe('bin/app.ts with a bad config', () => {
  it(
    'synthesizes a good config, so the failures below come from the config',
    () => {
      const run = synth('good', JSON.stringify({ internalDomains: ['example.com'] }));
      expect(run.status, run.stderr).toBe(0);
      expect(existsSync(join(run.outdir, 'ZoomlakeStorage.template.json'))).toBe(true);
    },
    SYNTH_MS,
  );

  it.each([
    ['a value out of range', { retention: { lakeDays: -5 } }, 'retention.lakeDays'],
    ['a cross-field rule', { retention: { infrequentAccessAfterDays: 60, glacierAfterDays: 40 } }, 'retention.glacierAfterDays'],
    ['an unknown field', { athena: { workgroup: 'x' } }, 'athena.workgroup: unknown field'],
    ['a wrong type', { internalDomains: 'example.com' }, 'internalDomains'],
    [
      "lists too long for a function's 4 KB environment",
      { watchedUsers: Array.from({ length: 200 }, (_, i) => `exec${i}@example.com`) },
      'WATCHED_USERS alone is',
    ],
  ])('fails with exit code 1 on %s, naming the field', (_what, config, field) => {
    const run = synth('bad', JSON.stringify(config));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(field);
    // The message is for people: no stack trace.
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails on a file that is not JSON, naming the file', () => {
    const run = synth('broken', '{ "retention": ');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/config file .*broken\.json is not valid JSON/);
  });

  it('reads the config file named by the `config` context when ZOOMLAKE_CONFIG is unset', () => {
    const run = synth('context', JSON.stringify({ planTier: 'platinum' }), 'context');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('planTier');
  });
});
