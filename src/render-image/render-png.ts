/**
 * Rasterises an SVG to PNG with resvg (@resvg/resvg-wasm: WebAssembly, no native build).
 *
 * resvg in WebAssembly cannot look for system fonts itself: it draws text only with the font
 * files it is handed (`fonts`). Given none, shapes and edges are drawn and text is left out;
 * the caller decides whether to warn. The module reads only its own WebAssembly file.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Resvg, initWasm } from '@resvg/resvg-wasm';

export interface PngOptions {
  /** Font files (TrueType or OpenType bytes) to draw text with; the first is the default. */
  readonly fonts: readonly Uint8Array[];
  /** The family name of `fonts[0]`, used for every font-family the SVG names. */
  readonly fontFamily?: string;
  /** Pixels per SVG pixel (Graphviz sizes its SVG in points, drawn at 96 dpi: 1pt = 1.33px). */
  readonly scale?: number;
  /** Any CSS colour; Graphviz paints its own white background, this shows only around it. */
  readonly background?: string;
}

let initialised: Promise<void> | null = null;

function initialise(): Promise<void> {
  initialised ??= (async () => {
    const path = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
    await initWasm(await readFile(path));
  })();
  return initialised;
}

/** The PNG bytes of `svg`. */
export async function renderPng(svg: string, options: PngOptions): Promise<Uint8Array> {
  await initialise();
  const family = options.fontFamily;
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 1 },
    background: options.background ?? 'white',
    font: {
      fontBuffers: [...options.fonts],
      ...(family === undefined ? {} : { defaultFontFamily: family, sansSerifFamily: family, serifFamily: family, monospaceFamily: family }),
    },
    shapeRendering: 2,
    textRendering: 1,
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
