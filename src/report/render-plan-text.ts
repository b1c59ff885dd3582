/**
 * Renders a revert plan (CONTRACT §4) as plain text for a person at a terminal: the targets
 * and the revert set (each added service with the call that forces it), the warnings (cycles
 * first: no safe sequential order exists there), then the numbered steps in the plan's order,
 * each with its services, whether it can be undone, what to do, what must hold before it, how
 * to check it, and the evidence from the traces.
 *
 * Every name, version and sentence may carry text from traces, which a terminal would obey:
 * an escape sequence can clear the screen or rewrite earlier lines, a line break can forge a
 * step. `clean` writes control characters, bidirectional controls and unpaired surrogates as
 * visible `\xHH` / `\uHHHH` escapes, so the output holds no control character but `\n`.
 * No colours: the command, not the reporter, knows whether stdout is a terminal.
 */
import type { AddedService, PlanStep, PlanView } from '../model.js';
import { listText, padEnd, plural, sameMembers, showControls, wrap } from './text-format.js';

/** Prose is wrapped at this width; a single long word (a name) may still run past it. */
const WIDTH = 100;
/** The name-and-versions column of the revert set is padded to at most this width. */
const MAX_COLUMN = 44;
const KIND_WIDTH = 'compensate'.length;

/** Renders `plan` for a terminal, steps in the plan's order. */
export function renderPlanText(plan: PlanView): string {
  const lines = [...renderHeader(plan)];
  const warnings = planWarnings(plan);
  if (warnings.length > 0) {
    lines.push('', 'warnings:');
    for (const warning of warnings) lines.push(...wrap(warning, '  ! ', '    ', WIDTH));
  }
  lines.push('');
  if (plan.steps.length === 0) {
    lines.push('steps: none (nothing to revert)');
  } else {
    lines.push('steps (reversible first, irreversible last):');
    const numberWidth = String(plan.steps.length).length;
    plan.steps.forEach((step, index) => {
      lines.push('', ...renderStep(plan, step, index, numberWidth));
    });
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Header

function renderHeader(plan: PlanView): string[] {
  const targets = plan.targets.length === 0 ? '(none)' : plan.targets.map(showControls).join(', ');
  const steps = plan.steps.length;
  const irreversible = plan.steps.filter((step) => !step.reversible).length;
  const lines = [...wrap(targets, 'rollback plan for ', '  ', WIDTH)];
  const counts = [
    plural(plan.revertSet.length, 'service'),
    plural(plan.waves.length, 'wave'),
    `${plural(steps, 'step')}${irreversible > 0 ? ` (${irreversible} irreversible)` : ''}`,
  ];
  lines.push(`revert set: ${counts.join(', ')}${plan.added.length > 0 ? '; + = added to the targets' : ''}`);

  const rows = plan.revertSet.map((service) => ({
    service,
    label: `${showControls(service)} ${versionChange(plan, service)}`,
    added: plan.added.filter((entry) => entry.service === service),
  }));
  const column = Math.min(MAX_COLUMN, Math.max(0, ...rows.map((row) => [...row.label].length)));
  for (const row of rows) {
    const marker = row.added.length > 0 ? '+ ' : '  ';
    const whys = row.added.map(becauseText);
    if (plan.targets.includes(row.service)) whys.unshift('target');
    if (whys.length === 0) whys.push('in the revert set');
    let first = `  ${marker}${padEnd(row.label, column)}  `;
    let hanging = ' '.repeat([...first].length);
    if ([...row.label].length > column) {
      // A name too long for the column: the reasons go below it rather than far to the right.
      lines.push(first.trimEnd());
      first = hanging = '      ';
    }
    whys.forEach((why, index) => lines.push(...wrap(why, index === 0 ? first : hanging, hanging, WIDTH)));
  }
  if (plan.waves.length > 0) {
    const order = plan.waves.map((wave, index) => `${index + 1}. ${waveText(plan, wave)}`);
    lines.push(...wrap(order.join('  '), 'order (callers first): ', '  ', WIDTH));
  }
  return lines;
}

/** `because checkout -> inventory uses POST /inventory/reserve`, the partial-rollback evidence. */
function becauseText(added: AddedService): string {
  const edge = `${showControls(added.because.from)} -> ${showControls(added.because.to)}`;
  if (added.because.operation !== null) return `because ${edge} uses ${showControls(added.because.operation)}`;
  return `because ${edge}: ${showControls(added.reason)}`;
}

/** The services of a wave, saying which revert together (a cycle) and which in parallel. */
function waveText(plan: PlanView, wave: readonly string[]): string {
  const names = wave.map(showControls).join(', ');
  if (wave.length < 2) return names;
  const groups = cyclesWithin(plan, wave);
  if (groups.length === 1 && sameMembers(groups[0] ?? [], wave)) return `${names} (together)`;
  if (groups.length === 0) return `${names} (in parallel)`;
  return `${names} (${groups.map((group) => `${listText(group.map(showControls))} together`).join('; ')})`;
}

// ---------------------------------------------------------------------------------------------
// Warnings

/** Cycles first, one line per group from `plan.cycles`; then the plan's own warnings. */
function planWarnings(plan: PlanView): string[] {
  const cycles = plan.cycles.map(
    (group) => `no safe sequential order: revert ${listText(group.map(showControls))} together (they call each other)`,
  );
  return [...cycles, ...plan.warnings.map(showControls)];
}

// ---------------------------------------------------------------------------------------------
// Steps

function renderStep(plan: PlanView, step: PlanStep, index: number, numberWidth: number): string[] {
  const number = `${String(index + 1).padStart(numberWidth)}. `;
  const indent = ' '.repeat(2 + number.length);
  const notes = [step.reversible ? 'reversible' : 'IRREVERSIBLE'];
  const isRevert = step.kind === 'revert';
  if (isRevert) {
    const wave = plan.waves.findIndex((members) => sameMembers(members, step.services));
    if (wave >= 0) notes.push(`wave ${wave + 1} of ${plan.waves.length}`);
    for (const group of cyclesWithin(plan, step.services)) {
      notes.push(
        sameMembers(group, step.services)
          ? 'all at once: they call each other'
          : `${listText(group.map(showControls))} at once: they call each other`,
      );
    }
  }
  const services =
    step.services.length === 0
      ? '(no service)'
      : isRevert && step.services.length === 1
        ? step.services.map((service) => `${showControls(service)} ${versionChange(plan, service)}`).join('')
        : step.services.map(showControls).join(', ');
  const head = `  ${number}${step.kind.padEnd(KIND_WIDTH)}  `;
  const lines = wrap(`${services}  (${notes.join(', ')})`, head, ' '.repeat([...head].length), WIDTH);
  if (isRevert && step.services.length > 1) {
    for (const service of step.services) {
      lines.push(`${indent}- ${showControls(service)} ${versionChange(plan, service)}`);
    }
  }
  lines.push(...wrap(showControls(step.text), indent, indent, WIDTH));
  if (step.precondition !== undefined) {
    lines.push(...wrap(showControls(step.precondition), `${indent}before: `, `${indent}        `, WIDTH));
  }
  if (step.verification !== undefined) {
    lines.push(...wrap(showControls(step.verification), `${indent}verify: `, `${indent}        `, WIDTH));
  }
  if (step.evidence.length > 0) {
    lines.push(`${indent}evidence:`);
    for (const fact of step.evidence) lines.push(...wrap(showControls(fact), `${indent}  - `, `${indent}    `, WIDTH));
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** `1.9.0 -> 1.8.2`; a missing side says so rather than printing `null`. */
function versionChange(plan: PlanView, service: string): string {
  const versions = plan.versions[service];
  if (versions === undefined) return '(versions unknown)';
  const from = versions.from === null ? '(version unknown)' : showControls(versions.from);
  const to = versions.to === null ? '(no previous version)' : showControls(versions.to);
  return `${from} -> ${to}`;
}

/** The cycle groups whose services all belong to `services`. */
function cyclesWithin(plan: PlanView, services: readonly string[]): (readonly string[])[] {
  return plan.cycles.filter((group) => group.every((service) => services.includes(service)));
}

