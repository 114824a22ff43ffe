import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#config/load.ts';
import { initLakeFolder } from '#local/pipeline/lake-folder.ts';
import { localPaths } from '#local/pipeline/runtime.ts';
import { IDENTITY_FILE_SOURCE } from '#local/scenario/identity.ts';
import { runCli } from '../support/cli-process.ts';

// The identity input through the CLI: the example config reads the sample file as idp_signins, and `zoomlake status`
// says whether the input is on.
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCli(argv);

const EXAMPLE = 'zoomlake.config.example.json';
const SAMPLE = 'samples/identity-signins.ndjson';

/** A new data folder, as a first run leaves it. */
function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-identity-'));
  dirs.push(dir);
  initLakeFolder(localPaths(dir));
  return dir;
}

function folderWith(config: Record<string, unknown>): { dir: string; configFile: string } {
  const dir = dataFolder();
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  return { dir, configFile };
}

describe('the example config and the sample identity file', () => {
  it("map the demo's flat identity format, and the sample is in it", () => {
    const { identity } = loadConfig(EXAMPLE);
    expect(identity).toMatchObject({ ...IDENTITY_FILE_SOURCE, localFile: SAMPLE });
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n');
    for (const line of lines)
      expect(Object.keys(JSON.parse(line) as object).sort()).toEqual(['country', 'email', 'ip', 'outcome', 'provider', 'session_id', 'time']);
  });

  it('read the sample as idp_signins through `zoomlake hunt`', async () => {
    const dir = dataFolder();
    const result = await cli(
      'hunt',
      '--json',
      '--dir',
      dir,
      '--config',
      EXAMPLE,
      'SELECT count(*) AS signins, count_if(succeeded) AS sessions, count(DISTINCT user_email) AS users, count_if(country IS NULL) AS unknown FROM idp_signins',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const lines = readFileSync(SAMPLE, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { email: string; outcome: string });
    expect(JSON.parse(result.out)).toEqual({
      signins: lines.length,
      sessions: lines.filter((l) => l.outcome === 'SUCCESS').length,
      users: new Set(lines.map((l) => l.email)).size,
      unknown: 0,
    });
  });
});

describe('zoomlake status', () => {
  it('says the identity input is off without an identity section', async () => {
    const { dir, configFile } = folderWith({});
    const result = await cli('status', '--dir', dir, '--config', configFile);
    expect(result.out).toContain('identity input: off (no identity section in the config)');
    expect(JSON.parse((await cli('status', '--json', '--dir', dir, '--config', configFile)).out)).toMatchObject({ identity: null });
  });

  it('names the table and the file when it is on, and says when the file is missing', async () => {
    const on = folderWith({ identity: { ...IDENTITY_FILE_SOURCE, localFile: join(process.cwd(), SAMPLE) } });
    expect((await cli('status', '--dir', on.dir, '--config', on.configFile)).out).toContain(
      `identity input: table identity_signins from ${join(process.cwd(), SAMPLE)}`,
    );
    const missing = folderWith({ identity: { ...IDENTITY_FILE_SOURCE, localFile: '/nonexistent/identity.ndjson' } });
    expect((await cli('status', '--dir', missing.dir, '--config', missing.configFile)).out).toContain(
      'identity input: table identity_signins, but /nonexistent/identity.ndjson does not exist: idp_signins has no rows until it does',
    );
  });
});
