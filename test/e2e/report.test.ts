import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initLakeFolder } from '#local/pipeline/lake-folder.ts';
import { localPaths } from '#local/pipeline/runtime.ts';
import { HOSTILE_NAME, HOSTILE_TOPIC, tableRows, writeReportLake } from '../support/report-lake.ts';
import { runCli } from '../support/cli-process.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'zoomlake-report-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCli(argv);

describe('zoomlake report over a small lake', () => {
  let html = '';
  let run: Awaited<ReturnType<typeof cli>>;
  let outFile = '';

  beforeAll(async () => {
    const dir = tempDir();
    const config = await writeReportLake(dir);
    outFile = join(dir, 'out', 'nested', 'report.html');
    run = await cli('report', '--dir', dir, '--config', config, '--out', outFile);
    html = readFileSync(outFile, 'utf8');
  });

  it('exits 0 and says where the report is, with the counts', () => {
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toBe(`zoomlake report: wrote ${outFile} (3 alerts, 3 meetings, 7 people)\n`);
  });

  it('shows every alert, most severe first, with who and which meeting', () => {
    expect(tableRows(html, 'alerts-table').map((r) => [r[0], r[1], r[3], r[4], r[5], r[6]])).toEqual([
      ['high', 'zoom.participant.guest_impersonates_internal', HOSTILE_NAME, '333', '', '2026-11-21 10:05'],
      ['medium', 'zoom.participant.external_in_sensitive_meeting', 'carol@partner.example', '222', '', '2026-11-20 14:02'],
      ['low', 'zoom.participant.outdated_client', 'dave@acme.example', '', 'device=Windows', '2026-11-20 09:01'],
    ]);
    expect([...html.matchAll(/<circle class="alert-dot" data-severity="(\w+)"/g)].map((m) => m[1])).toEqual(['low', 'medium', 'high']);
  });

  it('counts external and unauthenticated participants per host and per meeting', () => {
    expect(tableRows(html, 'exposure-by-host-table').map((r) => r.slice(0, 5))).toEqual([
      ['alice@acme.example', '1', '3', '1', '(no email), acme.example, partner.example'],
    ]);
    expect(tableRows(html, 'exposure-by-meeting-table')).toEqual([
      ['333', HOSTILE_TOPIC, 'alice@acme.example', '2026-11-21 10:00', '4', '3', '1', '(no email), acme.example, partner.example'],
    ]);
  });

  it('lists external domains, folding the case of emails', () => {
    expect(tableRows(html, 'external-domains-table').map((r) => r.slice(0, 4))).toEqual([
      ['(no email)', '1', '1', '1'],
      ['partner.example', '1', '1', '1'],
    ]);
  });

  it("counts each internal user's latest client version and flags those below the minimum", () => {
    expect(tableRows(html, 'client-versions-table')).toEqual([
      ['6.1.0', '2', 'no'],
      ['5.9.0', '2', 'yes'],
    ]);
    expect(html).toContain('<span class="flag">2 users</span> below the minimum 6.0.0');
  });

  it('draws every participant in the collaboration graph, by kind, with the shared meetings as links', () => {
    const nodes = [...html.matchAll(/<g class="node node-(\w+)" data-id="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`).sort();
    expect(nodes).toEqual([
      'external carol@partner.example',
      'guest guest: &lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;Mallory',
      'internal alice@acme.example',
      'internal bob@acme.example',
      'internal ceo@acme.example',
      'internal dave@acme.example',
      'internal eve@acme.example',
    ]);
    expect(html.match(/<line class="edge[ "]/g)).toHaveLength(10);
    expect(html.match(/<line class="edge edge-external"/g)).toHaveLength(4);
  });

  it('shows the hostile display name and topic as text, never as markup', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;Mallory');
    expect(html).toContain('Partner call &lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;');
  });

  it('has no "no data" notice', () => {
    expect(html).not.toContain('id="no-data"');
  });
});

describe('zoomlake report edge cases', () => {
  it('renders a data folder without events as a "no data" report', async () => {
    const dir = tempDir();
    initLakeFolder(localPaths(dir));
    const { code, out } = await cli('report', '--dir', dir);
    expect(code).toBe(0);
    expect(out).toContain('(0 alerts, 0 meetings, 0 people)');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<section id="no-data" class="notice">');
    for (const id of [
      'alert-timeline',
      'alerts',
      'exposure-by-host',
      'exposure-by-meeting',
      'external-domains',
      'client-versions',
      'collaboration-graph',
    ]) {
      expect(new RegExp(`<section id="${id}">\\s*<h2>[^<]*</h2>\\s*(<p class="note">[^<]*</p>\\s*)?<p class="empty">No data:`).test(html), id).toBe(
        true,
      );
    }
    expect(html).not.toContain('<svg');
  });

  it('fails with a clear message and exit code 1 when the data folder does not exist', async () => {
    const dir = join(tempDir(), 'missing');
    const out = join(tempDir(), 'report.html');
    const { code, err } = await cli('report', '--dir', dir, '--out', out);
    expect(code).toBe(1);
    expect(err).toBe(
      `zoomlake report: no data folder at ${dir}: pass --dir with the folder zoomlake run, serve, load, poll or demo wrote, ` +
        `or start one of them with --dir ${dir} first\n`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('fails with exit code 1 when the output cannot be written', async () => {
    const dir = tempDir();
    initLakeFolder(localPaths(dir));
    const { code, err } = await cli('report', '--dir', dir, '--out', dir);
    expect(code).toBe(1);
    expect(err).toMatch(/^zoomlake report: cannot write the report to /);
  });
});
