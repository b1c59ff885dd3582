/**
 * What `export`, `impact` and `plan` share: derive the graph from `--input` files with the
 * config applied, print the ingest summary on stderr, and refuse inputs with nothing usable.
 */
import { type Command, Option } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { type Derivation, deriveGraph } from '../derive-graph.js';
import { DEFAULT_MAX_OPEN_SPANS } from '../derive/trace-window.js';
import { renderSummary } from '../report/render-summary.js';
import { expandInputs } from './expand-inputs.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';
import { type LoadedConfig, loadConfig } from './load-config.js';

export interface InputOptions {
  readonly input?: string[];
  readonly window: number;
}

/** Adds `--input` and `--window` to a command that reads trace files. */
export function addInputOptions(command: Command): Command {
  return command
    .addOption(new Option('-i, --input <path...>', 'trace files, directories, globs, or - for stdin (OTLP/JSON, JSON Lines, gzip)'))
    .addOption(
      new Option('--window <spans>', 'spans held open for pairing before the oldest traces are finalised')
        .default(DEFAULT_MAX_OPEN_SPANS)
        .argParser(parsePositiveInteger),
    );
}

export interface GraphRead extends Derivation {
  /** The config file applied, if any. */
  readonly config: LoadedConfig | null;
}

export async function readGraph(command: Command, io: CliIo): Promise<GraphRead> {
  const options = command.optsWithGlobals<GlobalOptions & InputOptions>();
  if (options.input === undefined || options.input.length === 0) {
    throw new UsageError(`${command.name()} needs --input FILE... (trace files, directories, globs, or - for stdin)`);
  }
  const config = loadConfig(options.config, io);
  const inputs = expandInputs(options.input, io);
  const derivation = await deriveGraph(inputs, {
    environment: options.env ?? null,
    maxOpenSpans: options.window,
    ...config?.deriveOptions,
  });
  io.stderr.write(
    renderSummary({
      stats: derivation.stats,
      services: derivation.services,
      edges: derivation.view.edges.length,
      rejected: derivation.rejected,
      rejectedCount: derivation.rejectedCount,
      warnings: derivation.warnings,
    }),
  );
  if (derivation.unusable.length > 0) {
    throw new InputError(`nothing usable in ${derivation.unusable.join(', ')}: no span could be read (see the rejected records above)`);
  }
  return { ...derivation, config };
}

function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--window must be a positive whole number of spans, got ${JSON.stringify(value)}`);
  return n;
}
