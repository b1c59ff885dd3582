/**
 * `rollgraph impact SERVICE [--to-version V]`: what rolling SERVICE back involves: the callers
 * that must revert with it and why, the writes to compensate, the neighbours left unaffected.
 */
import type { Command } from 'commander';
import { EXIT_OK } from '../errors.js';
import { describeImpact } from '../graph/describe-impact.js';
import { tagImpacts } from '../graph/tag-impacts.js';
import { renderImpactText } from '../report/render-impact-text.js';
import { renderJson } from '../report/render-json.js';
import type { CliIo } from './io.js';
import { addInputOptions, readGraphAround } from './read-graph.js';
import { resolveService, resolveVersion } from './resolve-service.js';
import { colorImpactText, isColorStream } from './terminal-style.js';

interface ImpactOptions {
  readonly toVersion?: string;
  readonly json?: boolean;
}

export function registerImpact(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const command = program
    .command('impact')
    .summary('what rolling one service back involves, and who must revert with it')
    .description(
      'Rolling SERVICE back from its current version to the previous one (by first-seen time), or to ' +
        '--to-version: which callers must revert with it and why (edge, operation, versions), which of its ' +
        'writes need compensation, and which neighbours are unaffected and why.',
    )
    .argument('<service>', 'the service to roll back');
  addInputOptions(command)
    .option('--to-version <version>', 'evaluate against this version instead of the previous one')
    .option('--json', 'machine output on stdout (CONTRACT shape: service, fromVersion, toVersion, mustRevertWith, edges, plan)')
    .addHelpText(
      'after',
      `
Examples:
  $ rollgraph impact inventory --input exports/
  $ rollgraph impact checkout --to-version 2.4.0 --input exports/ --json | jq .mustRevertWith`,
    )
    .action(async (service: string, options: ImpactOptions, cmd: Command) => {
      const toVersions = new Map(options.toVersion === undefined ? [] : [[service, options.toVersion]]);
      const { graph, tags, config } = await readGraphAround(cmd, io, {
        targets: [service],
        tagsFor: options.toVersion === undefined ? undefined : (read) => tagImpacts(read.graph, { override: read.config?.deriveOptions.override, toVersions }),
      });
      const name = resolveService(graph, service);
      const toVersion = resolveVersion(graph, name, options.toVersion);
      const view = describeImpact(graph, { service: name, toVersion, override: config?.deriveOptions.override, tags });
      io.stdout.write(options.json ? renderJson(view) : isColorStream(io.env, io.stdout) ? colorImpactText(renderImpactText(view)) : renderImpactText(view));
      setExitCode(EXIT_OK);
    });
}
