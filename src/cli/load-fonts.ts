/**
 * Finds a font for drawing text into a PNG, without network: resvg in WebAssembly sees only the
 * font files it is handed. `ROLLGRAPH_FONT=FILE` names one (TrueType or OpenType); otherwise the
 * first of a few well-known system fonts that exists. Liberation Sans comes first because it has
 * the metrics of Arial and Helvetica, which Graphviz assumed when it sized the boxes; DejaVu Sans
 * (wider, so long labels may touch their borders) is the usual fallback on Linux.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { CliIo } from './io.js';

export interface LoadedFont {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** The family name, when rollgraph knows it; resvg then uses it for every family the SVG names. */
  readonly family?: string;
}

const CANDIDATES: readonly { readonly path: string; readonly family: string }[] = [
  // Debian and Ubuntu (fonts-liberation2, fonts-liberation, fonts-dejavu-core)
  { path: '/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { path: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  // Fedora and RHEL; Alpine; Arch
  { path: '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { path: '/usr/share/fonts/liberation/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { path: '/usr/share/fonts/TTF/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  // macOS and Windows
  { path: '/System/Library/Fonts/Supplemental/Arial.ttf', family: 'Arial' },
  { path: '/Library/Fonts/Arial.ttf', family: 'Arial' },
  { path: 'C:\\Windows\\Fonts\\arial.ttf', family: 'Arial' },
  // DejaVu: Debian and Ubuntu, Fedora, Arch, Alpine
  { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { path: '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { path: '/usr/share/fonts/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' },
  { path: '/usr/share/fonts/TTF/DejaVuSans.ttf', family: 'DejaVu Sans' },
];

/** The font to draw PNG text with, or null when none is found (the caller warns). */
export function loadFont(io: CliIo, candidates = CANDIDATES): LoadedFont | null {
  const named = io.env.ROLLGRAPH_FONT;
  if (named !== undefined && named !== '') {
    try {
      return { path: named, bytes: readFileSync(named) };
    } catch (error) {
      throw new UsageError(`ROLLGRAPH_FONT=${named}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  for (const candidate of candidates) {
    try {
      return { path: candidate.path, bytes: readFileSync(candidate.path), family: candidate.family };
    } catch {
      // not installed here: try the next one
    }
  }
  return null;
}

/** What `export --format png` says when no font was found. */
export const NO_FONT_WARNING =
  'warning: no font found for the PNG\u2019s text (looked for Liberation Sans, Arial and DejaVu Sans): boxes and arrows are drawn, ' +
  'their labels are not. Install fonts-liberation or fonts-dejavu, or set ROLLGRAPH_FONT to a .ttf file; --format svg needs no font';
