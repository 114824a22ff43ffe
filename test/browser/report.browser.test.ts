import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '#local/cli/main.ts';
import { SEVERITY_COLOURS } from '#local/report/render.ts';
import { colourCounts, decodePng } from '../support/png.ts';
import { HOSTILE_NAME, HOSTILE_TOPIC, writeReportLake } from '../support/report-lake.ts';

// Debian's chromium, driven by playwright-core (which never downloads a browser); .ci/run installs it.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1200, height: 900 };
const SECTIONS = [
  'summary',
  'alert-timeline',
  'alerts',
  'exposure-by-host',
  'exposure-by-meeting',
  'external-domains',
  'client-versions',
  'collaboration-graph',
];

const rgb = (hex: string) => Number.parseInt(hex.slice(1), 16);

describe('zoomlake report in headless Chromium', () => {
  let dir = '';
  let url = '';
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    dir = mkdtempSync(join(tmpdir(), 'zoomlake-report-browser-'));
    const config = await writeReportLake(dir);
    const out = join(dir, 'report.html');
    let err = '';
    const code = await main(['report', '--dir', dir, '--config', config, '--out', out], {
      out: () => undefined,
      err: (t) => {
        err += t;
      },
      env: {},
      untilStopped: async () => undefined,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    url = pathToFileURL(out).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('request', (r) => {
      requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => {
      problems.push(e.message);
    });
    // Anything but the report itself is refused (and recorded above): the page must need nothing else.
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('loads nothing but the report, without errors', () => {
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
  });

  it.each(SECTIONS)('shows the %s section with a heading', async (id) => {
    const section = page.locator(`section#${id}`);
    await expect(section.isVisible()).resolves.toBe(true);
    expect((await section.locator('h2').innerText()).trim()).not.toBe('');
    await expect(section.locator('p.empty').count()).resolves.toBe(0);
  });

  it('draws the alert timeline: one visible dot per alert inside the chart', async () => {
    const svg = await page.locator('#alert-timeline-svg').boundingBox();
    expect(svg?.width).toBeGreaterThan(500);
    expect(svg?.height).toBeGreaterThan(100);
    const dots = page.locator('#alert-timeline-svg circle.alert-dot');
    await expect(dots.count()).resolves.toBe(3);
    for (const box of await Promise.all((await dots.all()).map((d) => d.boundingBox()))) {
      expect(box?.width).toBeGreaterThan(4);
      expect(box!.x).toBeGreaterThanOrEqual(svg!.x);
      expect(box!.x + box!.width).toBeLessThanOrEqual(svg!.x + svg!.width);
      expect(box!.y).toBeGreaterThanOrEqual(svg!.y);
      expect(box!.y + box!.height).toBeLessThanOrEqual(svg!.y + svg!.height);
    }
  });

  it('draws the collaboration graph: every person and link, inside the picture', async () => {
    const svg = (await page.locator('#collaboration-graph-svg').boundingBox())!;
    expect(svg.width).toBeGreaterThan(500);
    const nodes = page.locator('#collaboration-graph-svg g.node circle');
    await expect(nodes.count()).resolves.toBe(7);
    await expect(page.locator('#collaboration-graph-svg line.edge').count()).resolves.toBe(10);
    for (const box of await Promise.all((await nodes.all()).map((n) => n.boundingBox()))) {
      expect(box!.width).toBeGreaterThan(4);
      expect(box!.x).toBeGreaterThanOrEqual(svg.x);
      expect(box!.x + box!.width).toBeLessThanOrEqual(svg.x + svg.width);
    }
  });

  it('draws the client versions, the one below the minimum in red', async () => {
    const bars = page.locator('#client-versions-svg rect.version-bar');
    await expect(bars.count()).resolves.toBe(2);
    const below = page.locator('#client-versions-svg rect.version-bar[data-state="below"]');
    expect((await below.boundingBox())?.width).toBeGreaterThan(100);
    // Runs in the page; this Node project has no DOM types, so getComputedStyle is typed here.
    const fill = below.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(el).fill);
    await expect(fill).resolves.toBe('rgb(220, 38, 38)');
  });

  it('shows the hostile display name and topic as text, and nothing of them runs', async () => {
    await expect(page.title()).resolves.toBe('zoomlake report');
    await expect(page.locator('script').count()).resolves.toBe(0);
    await expect(page.locator('img').count()).resolves.toBe(0);
    expect(await page.locator('#alerts-table').innerText()).toContain(HOSTILE_NAME);
    expect(await page.locator('#exposure-by-meeting-table').innerText()).toContain(HOSTILE_TOPIC);
  });

  it('takes a screenshot that is a real picture of the report', async () => {
    const png = await page.screenshot({ fullPage: true });
    expect(png.length).toBeGreaterThan(50_000);
    const image = decodePng(png);
    expect(image.width).toBe(VIEWPORT.width);
    expect(image.height).toBeGreaterThan(VIEWPORT.height);
    const counts = colourCounts(image);
    const total = image.width * image.height;
    const commonest = Math.max(...counts.values());
    expect(counts.size).toBeGreaterThan(200);
    expect(commonest / total).toBeLessThan(0.9);
    // The high-severity badge and the internal people of the graph are there in their colours.
    expect(counts.get(rgb(SEVERITY_COLOURS.high)) ?? 0).toBeGreaterThan(100);
    expect(counts.get(rgb('#2563eb')) ?? 0).toBeGreaterThan(100);
  });

  it('renders the graph as a picture, not a blank box', async () => {
    const image = decodePng(await page.locator('#collaboration-graph-svg').screenshot());
    const counts = colourCounts(image);
    const white = counts.get(0xffffff) ?? 0;
    expect(image.width).toBeGreaterThan(500);
    expect(1 - white / (image.width * image.height)).toBeGreaterThan(0.01);
    expect(counts.get(rgb('#ea580c')) ?? 0).toBeGreaterThan(20);
  });
});
