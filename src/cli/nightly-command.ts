/**
 * `rollgraph nightly INPUT... [--fail-on new-edges|impact-change|any|none] [--report FILE.md]
 * [--stale-after 7d]`: the nightly CI job. Ingests the day's exports as one run, then compares the
 * store's graph with the accepted baseline: new edges, impact changes, gone edges. The first run
 * on an empty baseline establishes it. Ingest, comparison and baseline land together or not at all.
 */
import { dirname, extname, relative, resolve, sep } from 'node:path';
import { type Command, Option } from 'commander';
import { EXIT_OK, EXIT_POLICY, UsageError } from '../errors.js';
import { compareWithBaseline } from '../graph/compare-baseline.js';
import type { CsvSpanOptions } from '../ingest/read-csv-spans.js';
import { toIso } from '../graph/graph-view.js';
import type { GraphView, NightlyView } from '../model.js';
import { renderJson } from '../report/render-json.js';
import { renderNightlyMarkdown } from '../report/render-nightly-markdown.js';
import { renderNightlyText } from '../report/render-nightly-text.js';
import { withBoundedHeapGrowth } from './bounded-heap.js';
import { type SourceOptions, atOption, fromOption, lookbackOption, readSources, windowOption, windowsOf } from './fetch-source.js';
import type { GlobalOptions } from './global-options.js';
import { ingestRun } from './ingest-run.js';
import type { CliIo } from './io.js';
import { loadConfig } from './load-config.js';
import { startProgress } from './progress.js';
import { colorNightlyText, isColorStream } from './terminal-style.js';
import { writeStore } from './open-store.js';
import { parseDuration } from './parse-duration.js';
import { addCsvColumnsOption } from './read-graph.js';
import { analyzeStore } from './store-graph.js';
import { writeOutput } from './write-output.js';

const FAIL_ON = ['new-edges', 'impact-change', 'any', 'none'] as const;
type FailOn = (typeof FAIL_ON)[number];

interface NightlyOptions extends SourceOptions {
  readonly failOn: FailOn;
  readonly report?: string;
  readonly html?: string;
  readonly staleAfter: number;
  readonly window: number | { readonly lookback: number };
  readonly csvColumns?: CsvSpanOptions;
  readonly json?: boolean;
}

const DAY_MS = 86_400_000;

export function registerNightly(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('nightly')
    .summary('ingest the day\u2019s traces and flag edges new since the accepted baseline')
    .description(
      'The nightly CI job: ingests the inputs into the store as one run (content already ingested is ' +
        'skipped), then compares the graph with the accepted baseline: new edges (not in the baseline), ' +
        'impact changes (an edge whose impact got stricter, e.g. reads became writes) and gone edges ' +
        '(unseen for --stale-after, counted back from the newest span in the store, not the clock). The ' +
        'first run on an empty baseline establishes it and exits 0. Review new edges, then `rollgraph accept` them.',
    )
    .argument('[input...]', 'the day\u2019s trace files, directories, globs, or - for stdin (none needed with --from)')
    .addOption(new Option('--fail-on <what>', 'what exits 1: new edges, impact changes, either, or nothing').choices(FAIL_ON).default('any'))
    .addOption(new Option('--report <file>', 'also write a Markdown report for a pull-request comment or a CI artifact'))
    .addOption(new Option('--html <file>', 'also write the interactive HTML report of the graph, new edges highlighted (linked from --report)'))
    .addOption(
      new Option('--stale-after <duration>', 'a baseline edge unseen this long is reported gone').default(7 * DAY_MS, '7d').argParser(parseDuration('--stale-after')),
    )
    .addOption(windowOption())
    .addOption(fromOption())
    .addOption(lookbackOption())
    .addOption(atOption())
    .addOption(addCsvColumnsOption())
    .option('--json', 'machine output on stdout: { baseline, run, newEdges, goneEdges, impactChanges }')
    .addHelpText(
      'after',
      `
Examples:
  $ rollgraph nightly exports/2026-11-29/ --report nightly.md --html graph.html
  $ rollgraph --db state/rollgraph.db nightly 'exports/*.jsonl.gz' --fail-on new-edges --json > nightly.json
  $ rollgraph nightly --from prometheus http://prometheus:9090 'exports/*.jsonl.gz' --report nightly.md
  $ rollgraph accept --all --note "reviewed in #1234"     # after review

Exit codes: 0 nothing flagged (or baseline established); 1 flagged what --fail-on names; 2 did not run.`,
    )
    .action(async (patterns: string[], options: NightlyOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      if (options.report !== undefined && !['.md', '.markdown'].includes(extname(options.report).toLowerCase())) {
        throw new UsageError(`--report writes Markdown: name the file .md (got ${options.report})`);
      }
      if (options.html !== undefined && !['.html', '.htm'].includes(extname(options.html).toLowerCase())) {
        throw new UsageError(`--html writes an HTML page: name the file .html (got ${options.html})`);
      }
      const config = await loadConfig(globals.config, io);
      const { maxOpenSpans, lookback } = windowsOf(cmd, options);
      const { inputs, aggregated } = await readSources(patterns, { ...options, lookback }, io);
      const view = await withBoundedHeapGrowth(() =>
        writeStore(globals, io, async (store): Promise<NightlyView> => {
          const run = await ingestRun(store, inputs, { command: 'nightly', aggregated, maxOpenSpans, csv: options.csvColumns, config, progress: startProgress(io.stderr, { ...globals, ...options }) }, io);
          const analyzed = analyzeStore(store, config);
          const newest = store.newestSpanMs();
          const baseline = store.readBaseline();
          const now = new Date().toISOString();
          const common = {
            run: { id: run.runId, spans: run.read.stats.spans, edges: analyzed.edgeView.edges.length },
            skipped: run.skipped.map((s) => s.name),
            newestSpan: toIso(newest),
            staleAfterDays: options.staleAfter / DAY_MS,
          };
          let nightly: NightlyView;
          if (baseline.length === 0) {
            const accepted = store.accept(edgesToAccept(analyzed.edgeView), now, 'baseline established by the first nightly run', run.runId);
            nightly = { baseline: 'established', ...common, newEdges: [], goneEdges: [], impactChanges: [], baselineEdges: accepted };
          } else {
            const comparison = compareWithBaseline(analyzed.edgeView, baseline, newest, options.staleAfter);
            nightly = { baseline: 'compared', ...common, ...comparison, baselineEdges: baseline.length };
          }
          // Written before the commit: a report that cannot be written fails the run, which then leaves no trace.
          if (options.html !== undefined) {
            const { renderHtmlExport } = await import('./export-html.js');
            writeOutput(renderHtmlExport(analyzed, nightly.newEdges), options.html, io);
          }
          if (options.report !== undefined) {
            const htmlReport = options.html === undefined ? undefined : relativeLink(options.report, options.html, io.cwd);
            writeOutput(renderNightlyMarkdown(nightly, { graphNeighbours: neighbourhood(analyzed.edgeView, nightly), htmlReport }), options.report, io);
          }
          return nightly;
        }),
      );
      io.stderr.write(isColorStream(io.env, io.stderr) ? colorNightlyText(renderNightlyText(view)) : renderNightlyText(view));
      if (options.json) io.stdout.write(renderJson(nightlyJson(view)));
      setExitCode(isTripped(view, options.failOn) ? EXIT_POLICY : EXIT_OK);
    });
}

/** The HTML report's path as the Markdown report beside it links it. */
function relativeLink(report: string, html: string, cwd: string): string {
  return relative(dirname(resolve(cwd, report)), resolve(cwd, html)).split(sep).join('/');
}

function edgesToAccept(view: GraphView) {
  return view.edges.map((e) => ({ from: e.from, to: e.to, type: e.type, impact: e.impact ?? 'coordinated' }));
}

function isTripped(view: NightlyView, failOn: FailOn): boolean {
  const hasNew = view.newEdges.length > 0;
  const hasChange = view.impactChanges.length > 0;
  switch (failOn) {
    case 'new-edges':
      return hasNew;
    case 'impact-change':
      return hasChange;
    case 'any':
      return hasNew || hasChange;
    case 'none':
      return false;
  }
}

/** CONTRACT §6 `nightly` first, then what the report adds. */
function nightlyJson(view: NightlyView) {
  const { baseline, run, newEdges, goneEdges, impactChanges, ...rest } = view;
  return { baseline, run, newEdges, goneEdges, impactChanges, ...rest };
}

/** The new and changed edges with every other edge of their endpoints, for the report's diagram. */
function neighbourhood(graph: GraphView, view: NightlyView): GraphView | undefined {
  const flagged = [...view.newEdges, ...view.impactChanges];
  if (flagged.length === 0) return undefined;
  const ends = new Set(flagged.flatMap((e) => [e.from, e.to]));
  const edges = graph.edges.filter((e) => ends.has(e.from) || ends.has(e.to));
  const ids = new Set(edges.flatMap((e) => [e.from, e.to]));
  return { nodes: graph.nodes.filter((n) => ids.has(n.id)), edges };
}
