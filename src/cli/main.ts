/**
 * The command line: parses arguments, runs one command, prints user errors as one line and
 * bugs with their stack, and returns the exit code of CONTRACT §7. The only `catch` of errors.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { EXIT_FAILED, EXIT_OK, isUserError } from '../errors.js';
import type { CliIo, Writable } from './io.js';
import { parseDuration } from './parse-duration.js';
import { registerAccept } from './accept-command.js';
import { registerExport } from './export-command.js';
import { registerIngest } from './ingest-command.js';
import { registerNightly } from './nightly-command.js';
import { registerImpact } from './impact-command.js';
import { registerPlan } from './plan-command.js';
import { colorError, isColorStream } from './terminal-style.js';

/** The package's version; package.json sits two levels up from both src/cli and dist/cli. */
export const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  // --quiet is known only once the arguments are parsed; commands get an stderr that asks then.
  let quiet = false;
  const commandIo: CliIo = { ...io, stderr: quietable(io.stderr, () => quiet) };
  const program = new Command('rollgraph')
    .description(
      'Derives the service dependency graph from exported OpenTelemetry traces, tags every edge with ' +
        'what rolling it back costs, keeps it night after night in a SQLite store, flags edges new since ' +
        'the accepted baseline, and plans coordinated rollbacks.',
    )
    .version(VERSION, '-V, --version')
    .addOption(new Option('--env <name>', 'only calls and services of this deployment.environment.name'))
    .addOption(new Option('--config <file>', 'config file (default: rollgraph.config.json, .yaml or .yml here, when present)'))
    .addOption(new Option('--db <file>', 'the store (default: $ROLLGRAPH_DB, else ./rollgraph.db)'))
    .addOption(new Option('--wait <duration>', 'how long to wait for a store another run is writing').default(10_000, '10s').argParser(parseDuration('--wait')))
    .addOption(new Option('-q, --quiet', 'no summary, notices or progress on stderr: only errors and the command\u2019s output'))
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(showError(s.startsWith('error:') ? `rollgraph: ${s}` : s, io)),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    `
Examples:
  $ rollgraph nightly exports/2026-11-29/ --report nightly.md   # the nightly CI job
  $ rollgraph ingest exports/2026-11-29/                        # store a run, compare nothing
  $ rollgraph accept 'checkout->fraud-check' --note "reviewed"  # after review
  $ rollgraph plan inventory --format markdown --out rollback.md
  $ rollgraph impact checkout --to-version 2.4.0
  $ rollgraph export --format dot --out graph.dot
  $ rollgraph export --input traces.jsonl --format json         # from files, no store

Exit codes: 0 ran, nothing to flag; 1 a policy tripped (nightly --fail-on, plan --exact);
2 did not run as asked.`,
  );
  program.hook('preAction', (root) => {
    quiet = root.opts<{ quiet?: boolean }>().quiet === true;
  });
  registerIngest(program, commandIo, setExitCode);
  registerNightly(program, commandIo, setExitCode);
  registerAccept(program, commandIo, setExitCode);
  registerExport(program, commandIo, setExitCode);
  registerImpact(program, commandIo, setExitCode);
  registerPlan(program, commandIo, setExitCode);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT_FAILED;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other parsing problem is a usage error.
      return error.exitCode === 0 ? EXIT_OK : EXIT_FAILED;
    }
    if (isUserError(error)) {
      io.stderr.write(showError(error.message.split('\n').map((line) => `rollgraph: ${line}\n`).join(''), io));
      return error.exitCode;
    }
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`rollgraph: internal error (this is a bug in rollgraph, please report it)\n${stack}\n`);
    return EXIT_FAILED;
  }
}

/** Errors in red on a terminal (see terminal-style.ts for NO_COLOR and FORCE_COLOR). */
function showError(text: string, io: CliIo): string {
  return isColorStream(io.env, io.stderr) ? colorError(text) : text;
}

/**
 * stderr for commands: with --quiet only errors pass, which rollgraph always starts with
 * `rollgraph:` (one write each), such as the policy failure of `plan --exact`.
 */
function quietable(stderr: Writable, isQuiet: () => boolean): Writable {
  return {
    write: (chunk) => (isQuiet() && !(typeof chunk === 'string' && /^(\u001b\[\d+m)*rollgraph:/.test(chunk)) ? true : stderr.write(chunk)),
    get isTTY() {
      return stderr.isTTY;
    },
    get columns() {
      return stderr.columns;
    },
  };
}
