/**
 * Lays out a DOT graph with Graphviz and returns the SVG, through the WebAssembly build of
 * Graphviz packaged with rollgraph (@hpcc-js/wasm-graphviz), so no system install is needed.
 *
 * Why not the `dot` on PATH when there is one: the packaged build is the same Graphviz (16.x)
 * on every machine, and it measures text with its own built-in font metrics rather than the
 * fonts fontconfig happens to find, so the same graph gives the same SVG everywhere (a system
 * Graphviz is often much older, e.g. 2.43 on Debian and Ubuntu, and lays out differently).
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';

let loaded: Promise<Graphviz> | null = null;

/** The SVG Graphviz's `dot` layout draws for `dot`; a syntax error throws. */
export async function renderSvg(dot: string): Promise<string> {
  loaded ??= Graphviz.load();
  const graphviz = await loaded;
  return graphviz.layout(dot, 'svg', 'dot');
}
