/**
 * `export --format html`: the page is self-contained and deterministic, names from traces stay
 * data (escaped in the embedded JSON, text on the page), the colours are DOT's, the plans the
 * page works out equal `rollgraph plan`'s, and, in a real headless Chromium, the page opens
 * without errors or network, finds a service, and shows its revert set.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planRevert } from '../../src/graph/plan-revert.js';
import type { ReportData } from '../../src/report/html-report-data.js';
import { renderDot } from '../../src/report/render-dot.js';
import { embedJson } from '../../src/report/render-html.js';
import { IMPACT_COLORS } from '../../src/viewer/colors.js';
import { planFor, toPlanGraph } from '../../src/viewer/plan-graph.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { KIND, deriveFiles, otlpLines } from '../helpers/otlp.js';
import { edgeView } from '../helpers/views.js';

const CHROMIUM = '/usr/bin/chromium';
const DEMO = ['fixtures/demo/day1', 'fixtures/demo/day2'];
const XSS = '<img src=x onerror=alert(1)>';
const QUOTED = 'say "hi" \'now\'\nthen\u2028bye</script><!--';

/** Two services whose names try to break out of the page: one calls the other. */
function hostileTraces(): string {
  return otlpLines([
    { service: XSS, version: '1.0.0', env: 'prod<b>', spans: [{ id: 'a1', kind: KIND.server, name: 'GET /' }, { id: 'a2', parent: 'a1', kind: KIND.client, name: 'call' }] },
    { service: QUOTED, version: '2.0.0', env: 'prod<b>', spans: [{ id: 'b1', parent: 'a2', kind: KIND.server, name: 'POST /x' }] },
  ]);
}

async function exportHtml(inputs: string[], dir: string, name: string): Promise<string> {
  const out = join(dir, name);
  const r = await runCli(['export', '--format', 'html', '--input', ...inputs, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

function embeddedData(html: string): ReportData {
  const match = /<script type="application\/json" id="rollgraph-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as ReportData;
}

describe('export --format html', () => {
  it('embeds names from traces as escaped JSON: no markup, and they round-trip exactly', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hostile.jsonl'), hostileTraces());
    const html = readFileSync(await exportHtml([join(dir, 'hostile.jsonl')], dir, 'r.html'), 'utf8');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<!--');
    expect(html).not.toContain('\u2028');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const data = embeddedData(html);
    expect(data.nodes.map((n) => n.id).sort()).toEqual([XSS, QUOTED].sort());
    expect(data.environments).toEqual(['prod<b>']);
    expect(data.edges).toHaveLength(1);
    expect(embedJson('</script>&\u2029')).toBe('"\\u003c/script\\u003e\\u0026\\u2029"');
  });

  it('is self-contained: one inline script allowed by its hash, nothing loaded from anywhere', async () => {
    const html = readFileSync(await exportHtml(DEMO, tempDir(), 'demo.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(csp).toContain(`'sha256-${createHash('sha256').update(scripts[0]!).digest('base64')}'`);
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/\bsrc\s*=\s*["']?(https?:)?\/\//i);
  });

  it('is deterministic: the same graph gives the same bytes, layout included', async () => {
    const dir = tempDir();
    const a = readFileSync(await exportHtml(DEMO, dir, 'a.html'), 'utf8');
    const b = readFileSync(await exportHtml(DEMO, dir, 'b.html'), 'utf8');
    expect(a).toBe(b);
    const positions = embeddedData(a).nodes.map((n) => [n.x, n.y]);
    expect(new Set(positions.map((p) => p.join()))).toHaveProperty('size', positions.length);
  });

  it('colours edges by impact as DOT does', () => {
    const view = {
      nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, kind: 'service' as const, versions: [], entrypoint: false, environments: [] })),
      edges: [
        edgeView('a', 'b', { tag: ['independent', 'observed', 'r'] }),
        edgeView('a', 'c', { tag: ['coordinated', 'observed', 'r'] }),
        edgeView('a', 'd', { tag: ['data-migration', 'observed', 'r'] }),
      ],
    };
    const dot = renderDot(view);
    for (const [impact, color] of Object.entries(IMPACT_COLORS)) {
      const line = dot.split('\n').find((l) => l.includes('-> "') && l.includes(`[${impact}]`));
      expect(line, impact).toContain(`color="${color}"`);
    }
  });

  it('works out in the page the same revert plans as `rollgraph plan`, inventory pulling in checkout', async () => {
    const html = readFileSync(await exportHtml(DEMO, tempDir(), 'demo.html'), 'utf8');
    const data = embeddedData(html);
    const demo = await deriveFiles(
      Object.fromEntries(
        DEMO.flatMap((d) => ['traces.jsonl', 'traces-frontend.jsonl.gz'].filter((f) => existsSync(join(ROOT, d, f))).map((f) => [`${d}/${f}`, readFileSync(join(ROOT, d, f))])),
      ),
    );
    const planGraph = toPlanGraph(data);
    const services = data.nodes.filter((n) => n.kind === 'service').map((n) => n.id);
    expect(services).toHaveLength(9);
    for (const service of services) expect(planFor(planGraph, service), service).toEqual(planRevert(demo.graph, demo.tags, [service]));
    // fixtures/demo/README.md, "The story": rolling back inventory means rolling back checkout too.
    expect(planFor(planGraph, 'inventory').revertSet).toEqual(['checkout', 'inventory']);
    expect(planFor(planGraph, 'inventory').waves).toEqual([['checkout'], ['inventory']]);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('export --format html in headless Chromium', () => {
  if (!existsSync(CHROMIUM)) console.warn(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

  async function openPage(file: string) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#graph canvas');
    return { browser, page, problems, requests };
  }

  it('opens the demo report, finds inventory, shows checkout in its revert set; a click on the node opens it too', async () => {
    const file = await exportHtml(DEMO, tempDir(), 'demo.html');
    const { browser, page, problems, requests } = await openPage(file);
    try {
      await page.fill('#search', 'invent');
      await page.press('#search', 'Enter');
      const panel = page.locator('#panel');
      await expect.poll(() => panel.isVisible()).toBe(true);
      expect(await panel.locator('.node-name').textContent()).toBe('inventory');
      expect(await panel.locator('.revert-set li').allTextContents()).toEqual(['checkout', 'inventory']);
      expect(await panel.locator('.must-revert-with li').allTextContents()).toEqual(['checkout']);
      expect(await panel.locator('.waves li').allTextContents()).toEqual(['checkout (2.6.0 \u2192 2.4.0)', 'inventory (1.9.0 \u2192 1.8.2)']);
      expect(await panel.locator('.step-compensate').textContent()).toContain('postgresql:inventory');
      await page.waitForTimeout(500); // the camera settles on inventory
      mkdirSync(join(ROOT, 'docs/images'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'docs/images/html-report.png') });

      // Close the panel, then click the node, which the camera left in the middle of the graph.
      await page.keyboard.press('Escape');
      await expect.poll(() => panel.isVisible()).toBe(false);
      const box = (await page.locator('#graph').boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await expect.poll(() => panel.isVisible()).toBe(true);
      expect(await panel.locator('.node-name').textContent()).toBe('inventory');

      // The impact filter hides edges; the environment list holds the demo's one environment.
      expect(await page.locator('#environment option').allTextContents()).toEqual(['all', 'production']);
      await page.locator('#impacts input[value="independent"]').uncheck();
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('shows hostile service names as text: no alert, no element made from them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hostile.jsonl'), hostileTraces());
    const file = await exportHtml([join(dir, 'hostile.jsonl')], dir, 'hostile.html');
    const { browser, page, problems, requests } = await openPage(file);
    try {
      await page.fill('#search', XSS);
      await page.press('#search', 'Enter');
      const panel = page.locator('#panel');
      await expect.poll(() => panel.isVisible()).toBe(true);
      expect(await panel.locator('.node-name').textContent()).toBe(XSS);
      const calls = await panel.locator('.calls button.name').allTextContents();
      expect(calls).toEqual([QUOTED]);
      await panel.locator('.calls button.name').click();
      expect(await panel.locator('.node-name').textContent()).toBe(QUOTED);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('#environment option').allTextContents()).toEqual(['all', 'prod<b>']);
      await page.waitForTimeout(300);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
