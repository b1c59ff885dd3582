/**
 * `export --format svg|png`: the DOT of `export --format dot` drawn by the packaged Graphviz
 * (WebAssembly), and for PNG rasterised by resvg with a font found on this machine. A PNG goes
 * to stdout only when stdout is not a terminal (a pipe or a file), else `--out` is asked for.
 */
import { UsageError } from '../errors.js';
import type { GraphView } from '../model.js';
import { renderDot } from '../report/render-dot.js';
import type { CliIo } from './io.js';
import { NO_FONT_WARNING, loadFont } from './load-fonts.js';

export const IMAGE_FORMATS = ['svg', 'png'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** PNG pixels per SVG pixel: sharp on high-density screens and in README screenshots. */
const PNG_SCALE = 2;

export function isImageFormat(format: string): format is ImageFormat {
  return (IMAGE_FORMATS as readonly string[]).includes(format);
}

/** Fails before the graph is read when a PNG would be written to a terminal. */
export function checkImageDestination(format: ImageFormat, out: string | undefined, io: CliIo): void {
  if (format === 'png' && out === undefined && io.stdout.isTTY === true) {
    throw new UsageError('--format png writes binary data: name a file with --out graph.png, or pipe stdout into a file');
  }
}

/**
 * Past this many edges Graphviz's layout takes minutes (measured: 5,000 services and 49,730
 * edges did not finish in 2 minutes), so the user hears why it is slow and what scales.
 */
export const LARGE_IMAGE_EDGES = 2_000;

export function largeGraphWarning(edges: number): string | null {
  if (edges <= LARGE_IMAGE_EDGES) return null;
  return (
    `warning: drawing ${edges.toLocaleString('en-US')} edges with Graphviz can take many minutes; ` +
    '--format html draws large graphs in seconds, and --env or --since narrow what is drawn'
  );
}

/** The SVG text or PNG bytes of `view`, warning on stderr when a graph is large or a PNG will have no text. */
export async function renderImage(view: GraphView, format: ImageFormat, io: CliIo, warn: (line: string) => void): Promise<string | Uint8Array> {
  const large = largeGraphWarning(view.edges.length);
  if (large !== null) warn(large);
  // Graphviz and resvg (WebAssembly) load only for an image.
  const { renderSvg } = await import('../render-image/render-svg.js');
  const svg = await renderSvg(renderDot(view));
  if (format === 'svg') return svg;
  const { renderPng } = await import('../render-image/render-png.js');
  const font = loadFont(io);
  if (font === null) warn(NO_FONT_WARNING);
  return renderPng(svg, { fonts: font === null ? [] : [font.bytes], fontFamily: font?.family, scale: PNG_SCALE });
}
