/**
 * `rollgraph accept [--all | FROM->TO ...] [--note TEXT]`: adds edges to the baseline (or
 * records their current impact when they are in it already), so `nightly` stops flagging them.
 */
import type { Command } from 'commander';
import { EXIT_OK, UsageError } from '../errors.js';
import { suggestNames } from '../graph/suggest-names.js';
import type { EdgeView } from '../model.js';
import { renderJson } from '../report/render-json.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';
import { loadConfig } from './load-config.js';
import { writeStore } from './open-store.js';
import { analyzeStore } from './store-graph.js';

interface AcceptOptions {
  readonly all?: boolean;
  readonly note?: string;
  readonly json?: boolean;
}

export function registerAccept(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('accept')
    .summary('add edges to the baseline after review')
    .description(
      'Adds edges to the accepted baseline, with an optional note, so `nightly` stops flagging them. ' +
        'An edge already in the baseline takes its current impact, which accepts an impact change. ' +
        'FROM->TO names every edge between the two (sync, async, database or external).',
    )
    .argument('[edges...]', 'edges as FROM->TO (quote them: the shell reads > as a redirect)')
    .option('--all', 'accept every edge of the store\u2019s graph')
    .option('--note <text>', 'why these edges are fine, kept with the baseline')
    .option('--json', 'machine output on stdout: the edges accepted')
    .addHelpText(
      'after',
      `
Examples:
  $ rollgraph accept 'checkout->fraud-check' 'fraud-check->postgresql:fraud' --note "fraud scoring, ADR-42"
  $ rollgraph accept --all --note "reviewed in #1234"`,
    )
    .action(async (pairs: string[], options: AcceptOptions, cmd: Command) => {
      if (options.all && pairs.length > 0) throw new UsageError('accept takes --all or FROM->TO edges, not both');
      if (!options.all && pairs.length === 0) throw new UsageError("accept needs --all or edges as FROM->TO (e.g. rollgraph accept 'checkout->fraud-check')");
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const config = await loadConfig(globals.config, io);
      const { accepted, total, path } = await writeStore(globals, io, (store) => {
        const view = analyzeStore(store, config).edgeView;
        const edges: EdgeView[] = options.all ? [...view.edges] : pairs.flatMap((pair) => findEdges(view.edges, pair));
        store.accept(
          edges.map((e) => ({ from: e.from, to: e.to, type: e.type, impact: e.impact ?? 'coordinated' })),
          new Date().toISOString(),
          options.note ?? null,
          null,
        );
        return { accepted: edges, total: store.readBaseline().length, path: store.path };
      }, { mustExist: true });
      io.stderr.write(`accepted ${accepted.length} edge${accepted.length === 1 ? '' : 's'} into the baseline of ${path} (now ${total})\n`);
      for (const e of accepted) io.stderr.write(`  ${e.from} -> ${e.to}  ${e.type}, ${e.impact ?? 'unknown'}\n`);
      if (options.json) io.stdout.write(renderJson({ accepted: accepted.map((e) => ({ from: e.from, to: e.to, type: e.type, impact: e.impact })), baselineEdges: total }));
      setExitCode(EXIT_OK);
    });
}

function findEdges(edges: readonly EdgeView[], pair: string): EdgeView[] {
  const at = pair.indexOf('->');
  if (at <= 0 || at === pair.length - 2) throw new UsageError(`${JSON.stringify(pair)} is not an edge: write FROM->TO, e.g. 'checkout->fraud-check'`);
  const from = pair.slice(0, at).trim();
  const to = pair.slice(at + 2).trim();
  const found = edges.filter((e) => e.from === from && e.to === to);
  if (found.length > 0) return found;
  const close = suggestNames(`${from}->${to}`, edges.map((e) => `${e.from}->${e.to}`));
  throw new UsageError(`no edge ${from}->${to} in the store` + (close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''));
}
