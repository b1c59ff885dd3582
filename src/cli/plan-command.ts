/**
 * `rollgraph plan SERVICE... [--exact] [--format text|markdown|json]`: the coordinated revert
 * plan; `--exact` is the partial-rollback check, exiting 1 when more services must revert.
 */
import { type Command, Option } from 'commander';
import { EXIT_OK, EXIT_POLICY } from '../errors.js';
import type { PlanView } from '../model.js';
import { planRevert } from '../graph/plan-revert.js';
import { renderJson } from '../report/render-json.js';
import { renderPlanMarkdown } from '../report/render-plan-markdown.js';
import { renderPlanText } from '../report/render-plan-text.js';
import type { CliIo } from './io.js';
import { addInputOptions, readGraphAround } from './read-graph.js';
import { resolveService } from './resolve-service.js';
import { colorError, isColorStream } from './terminal-style.js';
import { writeOutput } from './write-output.js';

const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface PlanOptions {
  readonly exact?: boolean;
  readonly format: Format;
  readonly json?: boolean;
  readonly out?: string;
}

export function registerPlan(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const command = program
    .command('plan')
    .summary('the coordinated revert plan: who reverts, in which order, what to compensate')
    .description(
      'Plans rolling back the given services: the revert set (the targets plus every caller that must ' +
        'revert with them), waves (callers before callees, parallel inside a wave; call cycles as atomic ' +
        'groups), and the steps, reversible first and irreversible last: snapshot, dampen, revert wave by ' +
        'wave, verify, resume, compensate. The Markdown form is a runbook to follow and tick off.',
    )
    .argument('<service...>', 'the services to roll back');
  addInputOptions(command)
    .option('--exact', 'the partial-rollback check: exit 1 if services beyond the targets must revert too')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('--json', 'same as --format json')
    .addOption(new Option('-o, --out <file>', 'write the plan to FILE instead of stdout'))
    .addHelpText(
      'after',
      `
Examples:
  $ rollgraph plan inventory --input exports/
  $ rollgraph plan checkout payments --input exports/ --format markdown --out rollback.md
  $ rollgraph plan checkout inventory --exact --input exports/ || echo "more services must revert"`,
    )
    .action(async (services: string[], options: PlanOptions, cmd: Command) => {
      const { graph, tags } = await readGraphAround(cmd, io, { targets: services });
      const targets = services.map((s) => resolveService(graph, s));
      const plan = planRevert(graph, tags, targets);
      const format: Format = options.json ? 'json' : options.format;
      writeOutput(render(plan, format), options.out, io);
      if (options.exact && plan.added.length > 0) {
        const failure =
          `rollgraph: plan --exact: ${plan.added.length} more service${plan.added.length === 1 ? '' : 's'} must revert with ${plan.targets.join(', ')}\n` +
            plan.added
              .map((a) => `  ${a.service}: ${a.because.from} -> ${a.because.to}${a.because.operation === null ? '' : ` uses ${a.because.operation}`} (${a.reason})\n`)
              .join('');
        io.stderr.write(isColorStream(io.env, io.stderr) ? colorError(failure) : failure);
        setExitCode(EXIT_POLICY);
        return;
      }
      setExitCode(EXIT_OK);
    });
}

function render(plan: PlanView, format: Format): string {
  switch (format) {
    case 'text':
      return renderPlanText(plan);
    case 'markdown':
      return renderPlanMarkdown(plan);
    case 'json':
      return renderJson(plan);
  }
}
