/**
 * `rollgraph ingest INPUT...`: reads trace files into the store as one run, all or nothing.
 */
import type { Command } from 'commander';
import { EXIT_OK } from '../errors.js';
import type { CsvSpanOptions } from '../ingest/read-csv-spans.js';
import { renderJson } from '../report/render-json.js';
import { withBoundedHeapGrowth } from './bounded-heap.js';
import { type SourceOptions, atOption, fromOption, lookbackOption, readSources, windowOption, windowsOf } from './fetch-source.js';
import type { GlobalOptions } from './global-options.js';
import { ingestRun } from './ingest-run.js';
import type { CliIo } from './io.js';
import { loadConfig } from './load-config.js';
import { startProgress } from './progress.js';
import { writeStore } from './open-store.js';
import { addCsvColumnsOption } from './read-graph.js';
import { analyzeStore } from './store-graph.js';

interface IngestOptions extends SourceOptions {
  readonly window: number | { readonly lookback: number };
  readonly csvColumns?: CsvSpanOptions;
  readonly json?: boolean;
}

export function registerIngest(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('ingest')
    .summary('read trace files into the store as one run')
    .description(
      'Reads trace files, directories, globs or - (stdin) into the store as one run: all of it lands, or ' +
        'nothing does. Content the store already holds (same SHA-256) is skipped with a notice, so running ' +
        'the same job twice is harmless. `nightly` does this and then compares with the baseline.',
    )
    .argument('[input...]', 'trace files, directories, globs, or - for stdin (none needed with --from)')
    .addOption(windowOption())
    .addOption(fromOption())
    .addOption(lookbackOption())
    .addOption(atOption())
    .addOption(addCsvColumnsOption())
    .option('--json', 'machine output on stdout: { run: { id, spans, traces, edges }, warnings, rejected }')
    .addHelpText(
      'after',
      `
Examples:
  $ rollgraph ingest exports/2026-11-29/
  $ rollgraph --db /var/lib/rollgraph/prod.db ingest 'exports/*.jsonl.gz'
  $ rollgraph ingest --from prometheus http://prometheus:9090 --window 24h`,
    )
    .action(async (patterns: string[], options: IngestOptions, cmd: Command) => {
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const config = await loadConfig(globals.config, io);
      const { maxOpenSpans, lookback } = windowsOf(cmd, options);
      const { inputs, aggregated } = await readSources(patterns, { ...options, lookback }, io);
      const { result, edges, path } = await withBoundedHeapGrowth(() =>
        writeStore(globals, io, async (store) => {
          const result = await ingestRun(store, inputs, { command: 'ingest', aggregated, maxOpenSpans, csv: options.csvColumns, config, progress: startProgress(io.stderr, { ...globals, ...options }) }, io);
          return { result, edges: analyzeStore(store, config).graph.size, path: store.path };
        }),
      );
      const { read } = result;
      io.stderr.write(`stored as run ${result.runId} in ${path}: the store now holds ${edges} edges\n`);
      if (options.json) {
        io.stdout.write(
          renderJson({
            run: { id: result.runId, spans: read.stats.spans, traces: read.stats.traces, edges },
            warnings: read.warnings,
            rejected: read.rejected.map((r) => ({ file: r.file, line: r.line, reason: r.field === null ? r.reason : `${r.field}: ${r.reason}` })),
          }),
        );
      }
      setExitCode(EXIT_OK);
    });
}
