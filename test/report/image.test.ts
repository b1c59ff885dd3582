/**
 * `export --format svg|png`: the DOT drawn by the packaged Graphviz (WebAssembly) and rasterised
 * by resvg. The demo's nodes are those fixtures/demo/README.md draws in its topology.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderPng } from '../../src/render-image/render-png.js';
import { BIN, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { decodeXml, drawnLines, svgTexts } from '../helpers/graphviz.js';
import { KIND, otlpLines } from '../helpers/otlp.js';

const DEMO = ['fixtures/demo/day1', 'fixtures/demo/day2'];
/** fixtures/demo/README.md, "Topology": nine services, six databases, two third parties. */
const DEMO_NODES = [
  'web-frontend', 'cart', 'catalog', 'checkout', 'payments', 'inventory', 'order-worker', 'notifications', 'fraud-check',
  'postgresql:catalog', 'redis:cache.internal', 'postgresql:fraud', 'postgresql:payments', 'postgresql:inventory', 'postgresql:orders',
  'api.stripe.com', 'api.sendgrid.com',
];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** render-dot.ts draws edges in these colours by rollback impact. */
const IMPACT_COLOURS = { independent: [0x5f, 0x9e, 0x6e], coordinated: [0xe0, 0x74, 0x00], 'data-migration': [0xc6, 0x28, 0x28] };

let dir: string;
beforeAll(() => {
  dir = tempDir();
});

describe('export --format svg', () => {
  it('names every node of the demo graph', async () => {
    const r = await runCli(['export', '--input', ...DEMO, '--format', 'svg'], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml[^]*<svg[^]*<\/svg>\s*$/);
    const texts = svgTexts(r.stdout);
    for (const node of DEMO_NODES) expect(texts, node).toContain(node);
    // And each as its own SVG node, titled by its (escaped) id.
    const titles = [...r.stdout.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => decodeXml(m[1]!));
    for (const node of DEMO_NODES) expect(titles, node).toContain(node);
  });

  it('draws hostile service names as text, never as markup', async () => {
    const tag = '<img src=x onerror=alert(1)>';
    const quoted = 'say "hi"\nand <b>bye</b> & \'go\'';
    const file = join(dir, 'hostile.jsonl');
    writeFileSync(
      file,
      otlpLines([
        { service: tag, version: '1.0.0', spans: [{ id: 'a1', kind: KIND.client }] },
        { service: quoted, version: '2.0.0', spans: [{ id: 'b1', parent: 'a1', kind: KIND.server }] },
      ]),
    );
    const r = await runCli(['export', '--input', file, '--format', 'svg']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/<img|<b>|onerror=alert\(1\)>/);
    expect(r.stdout).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const texts = svgTexts(r.stdout);
    expect(texts).toContain(tag);
    for (const line of drawnLines(quoted)) expect(texts).toContain(line);
  });
});

describe('export --format png', () => {
  it('writes a PNG of the demo graph with its edges in their impact colours and its labels drawn', async () => {
    const out = join(dir, 'graph.png');
    const r = await runCli(['export', '--input', ...DEMO, '--format', 'png', '--out', out], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    const png = readFileSync(out);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    const image = decodePng(png);
    expect(image.width).toBeGreaterThan(800);
    expect(image.width).toBeLessThan(10_000);
    expect(image.height).toBeGreaterThan(400);
    expect(image.height).toBeLessThan(10_000);
    const colours = countColours(image);
    expect(colours.get('255,255,255') ?? 0, 'a white background').toBeGreaterThan(image.width * image.height * 0.5);
    for (const [impact, rgb] of Object.entries(IMPACT_COLOURS)) expect(colours.get(rgb.join(',')) ?? 0, impact).toBeGreaterThan(100);
    expect(colours.size, 'anti-aliased shapes and text').toBeGreaterThan(500);
  });

  it('draws text only with a font: without one, the same graph has far fewer dark pixels', async () => {
    const svg = (await runCli(['export', '--input', ...DEMO, '--format', 'svg'], { cwd: ROOT })).stdout;
    const font = ['/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf']
      .map((path) => {
        try {
          return readFileSync(path);
        } catch {
          return null;
        }
      })
      .find((bytes) => bytes !== null);
    if (font === undefined || font === null) return; // no system font: the CLI warns (tested below)
    const dark = (png: Uint8Array) => countDark(decodePng(Buffer.from(png)));
    const withText = dark(await renderPng(svg, { fonts: [font] }));
    const withoutText = dark(await renderPng(svg, { fonts: [] }));
    expect(withText).toBeGreaterThan(withoutText * 2);
  });

  it('refuses a ROLLGRAPH_FONT it cannot read', async () => {
    const out = join(dir, 'nofont.png');
    const r = await runCli(['export', '--input', ...DEMO, '--format', 'png', '--out', out], { cwd: ROOT, env: { ROLLGRAPH_FONT: join(dir, 'missing.ttf') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`rollgraph: ROLLGRAPH_FONT=${join(dir, 'missing.ttf')}: cannot read (ENOENT)`);
  });

  it('goes to stdout when stdout is a pipe', () => {
    const r = spawnSync(process.execPath, [BIN, 'export', '--input', ...DEMO, '--format', 'png'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr.toString()).toBe(0);
    expect([...r.stdout.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it('asks for --out rather than write binary data to a terminal', async () => {
    let stdout = '';
    let stderr = '';
    const code = await main(['export', '--input', ...DEMO, '--format', 'png'], {
      stdin: (async function* () {})(),
      stdout: { write: (s: string) => (stdout += s), isTTY: true },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      env: {},
      cwd: ROOT,
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('rollgraph: --format png writes binary data: name a file with --out graph.png, or pipe stdout into a file\n');
  });
});

interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** Decodes an 8-bit RGBA, non-interlaced PNG (what resvg writes): chunks, inflate, row filters. */
function decodePng(png: Buffer): Rgba {
  let at = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9], body[12]], 'bit depth 8, RGBA, not interlaced').toEqual([8, 6, 0]);
    } else if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`PNG filter ${filter}`);
      pixels[y * stride + x] = (row[x]! + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function countColours(image: Rgba): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < image.pixels.length; i += 4) {
    const key = `${image.pixels[i]},${image.pixels[i + 1]},${image.pixels[i + 2]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Pixels darker than mid-grey: text (#333333 and black) and outlines. */
function countDark(image: Rgba): number {
  let dark = 0;
  for (let i = 0; i < image.pixels.length; i += 4) if (image.pixels[i]! + image.pixels[i + 1]! + image.pixels[i + 2]! < 3 * 100) dark++;
  return dark;
}

describe('large graphs', () => {
  it('warn that Graphviz will be slow, and point at what scales', async () => {
    const { LARGE_IMAGE_EDGES, largeGraphWarning } = await import('../../src/cli/export-image.js');
    expect(largeGraphWarning(LARGE_IMAGE_EDGES)).toBeNull();
    expect(largeGraphWarning(49_730)).toBe(
      'warning: drawing 49,730 edges with Graphviz can take many minutes; --format html draws large graphs in seconds, and --env or --since narrow what is drawn',
    );
  });
});
