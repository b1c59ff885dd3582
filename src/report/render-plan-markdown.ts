/**
 * Renders a revert plan (CONTRACT §4) as a Markdown runbook that an on-call engineer follows in
 * a GitHub issue or pull request, ticking boxes as they go: a title, a table of the revert set
 * (versions and why each service is in it), a warning callout for cycles and added services,
 * then one task-list checkbox per step in the plan's order, and one per service inside a revert
 * wave, with the precondition, the verification and the evidence as nested bullets.
 *
 * Names and versions come from traces and are untrusted (markdown-text.ts writes them, shared
 * with the nightly report). They are written as code spans
 * (`code`), inside which Markdown, HTML, entities, autolinks, @-mentions and #-references are
 * all inert; `codeSpan` picks a backtick fence longer than any run inside the name. Sentences
 * (step text, reasons, evidence, warnings) embed names too and cannot be code, so `escapeText`
 * backslash-escapes every character Markdown reads as syntax and writes `<` and `&` as entities;
 * a URL in a sentence shows as itself (GitHub may make it a link, never one with hidden text).
 * Control characters, which could end a line and start a heading or a list, are shown as `\xHH`
 * in both. Checked against markdown-it (CommonMark with GFM tables).
 */
import type { PlanStep, PlanView } from '../model.js';
import { codeSpan, escapeText } from './markdown-text.js';
import { listText, plural, sameMembers } from './text-format.js';

const STEP_TITLES: Readonly<Record<PlanStep['kind'], string>> = {
  snapshot: 'Snapshot',
  dampen: 'Dampen',
  revert: 'Revert',
  verify: 'Verify',
  resume: 'Resume',
  compensate: 'Compensate',
};

/** Renders `plan` as a GitHub-flavoured Markdown runbook, steps in the plan's order. */
export function renderPlanMarkdown(plan: PlanView): string {
  const targets = plan.targets.length === 0 ? 'nothing' : plan.targets.map((t) => codeSpan(t)).join(', ');
  const irreversible = plan.steps.filter((step) => !step.reversible).length;
  const lines = [
    `# Rollback plan: ${targets}`,
    '',
    `**Revert set:** ${plural(plan.revertSet.length, 'service')} in ${plural(plan.waves.length, 'wave')}, ` +
      `callers first. **Steps:** ${plan.steps.length}` +
      (irreversible > 0 ? `, ${irreversible} of them irreversible (last).` : ', all reversible.'),
  ];
  if (plan.revertSet.length > 0) lines.push('', ...renderRevertSet(plan));
  const callout = renderCallout(plan);
  if (callout.length > 0) lines.push('', ...callout);
  lines.push('', '## Steps', '');
  if (plan.steps.length === 0) {
    lines.push('No steps: nothing to revert.');
  } else {
    lines.push('Work from top to bottom and tick each box when it is done. Reversible steps come first.', '');
    plan.steps.forEach((step, index) => lines.push(...renderStep(plan, step, index)));
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Revert set and warnings

function renderRevertSet(plan: PlanView): string[] {
  const rows = ['| Service | From | To | Why |', '| --- | --- | --- | --- |'];
  for (const service of plan.revertSet) {
    const versions = plan.versions[service];
    const from = versions?.from == null ? '*unknown*' : codeSpan(versions.from, true);
    const to = versions === undefined ? '*unknown*' : versions.to === null ? '*no previous version*' : codeSpan(versions.to, true);
    const whys: string[] = [];
    if (plan.targets.includes(service)) whys.push('target');
    for (const added of plan.added.filter((entry) => entry.service === service)) {
      const edge = `${codeSpan(added.because.from, true)} → ${codeSpan(added.because.to, true)}`;
      whys.push(
        added.because.operation === null
          ? `added: ${edge} is coordinated`
          : `added: ${edge} uses ${codeSpan(added.because.operation, true)}`,
      );
    }
    if (whys.length === 0) whys.push('in the revert set');
    rows.push(`| ${codeSpan(service, true)} | ${from} | ${to} | ${whys.join('; ')} |`);
  }
  return rows;
}

/** A GitHub alert: cycles, services added to the targets, and the plan's own warnings. */
function renderCallout(plan: PlanView): string[] {
  const cycles = plan.cycles.map((group) => `revert ${listText(group.map((s) => codeSpan(s)))} together`);
  const ownWarnings = plan.warnings;
  if (cycles.length === 0 && plan.added.length === 0 && ownWarnings.length === 0) return [];
  const lines = ['> [!WARNING]'];
  const paragraph = (text: string[]): void => {
    if (lines.length > 1) lines.push('>');
    lines.push(...text.map((line) => `> ${line}`));
  };
  if (cycles.length > 0) {
    paragraph([
      '**No safe sequential order.** These services call each other; each group must revert at once:',
      ...cycles.map((cycle) => `- ${cycle}`),
    ]);
  }
  if (plan.added.length > 0) {
    paragraph([
      '**Added to the targets.** These callers must revert too, or they break:',
      ...plan.added.map((added) => `- ${codeSpan(added.service)}: ${escapeText(added.reason)}`),
    ]);
  }
  if (ownWarnings.length > 0) paragraph(['**Also:**', ...ownWarnings.map((warning) => `- ${escapeText(warning)}`)]);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Steps

function renderStep(plan: PlanView, step: PlanStep, index: number): string[] {
  const isRevert = step.kind === 'revert';
  let title = `${index + 1}. ${STEP_TITLES[step.kind]}`;
  if (isRevert) {
    const wave = plan.waves.findIndex((members) => sameMembers(members, step.services));
    if (wave >= 0) title += `, wave ${wave + 1} of ${plan.waves.length}`;
  }
  const mark = step.reversible ? '(reversible)' : '(**irreversible**)';
  const lines = [`- [ ] **${title}** ${mark}: ${escapeText(step.text)}`];
  if (isRevert) {
    for (const group of plan.cycles.filter((g) => g.every((service) => step.services.includes(service)))) {
      lines.push(
        sameMembers(group, step.services)
          ? '  - **All at once:** these services call each other, so no order between them is safe.'
          : `  - **All at once:** ${listText(group.map((s) => codeSpan(s)))} call each other, so no order ` +
              'between them is safe.',
      );
    }
    for (const service of step.services) {
      lines.push(`  - [ ] ${codeSpan(service)} ${versionChange(plan, service)}`);
    }
  } else if (step.services.length > 0) {
    lines.push(`  - Services: ${step.services.map((s) => codeSpan(s)).join(', ')}`);
  }
  if (step.precondition !== undefined) lines.push(`  - **Before:** ${escapeText(step.precondition)}`);
  if (step.verification !== undefined) lines.push(`  - **Verify:** ${escapeText(step.verification)}`);
  if (step.evidence.length > 0) {
    lines.push('  - Evidence:');
    for (const fact of step.evidence) lines.push(`    - ${escapeText(fact)}`);
  }
  return lines;
}

/** `` `1.9.0` → `1.8.2` ``; a missing side says so. */
function versionChange(plan: PlanView, service: string): string {
  const versions = plan.versions[service];
  if (versions === undefined) return '(versions unknown)';
  const from = versions.from === null ? '*unknown version*' : codeSpan(versions.from);
  const to = versions.to === null ? '*no previous version*' : codeSpan(versions.to);
  return `${from} → ${to}`;
}
