/**
 * "Did you mean": the known names closest to a mistyped one, by edit distance, ignoring case.
 */
export function suggestNames(wanted: string, known: Iterable<string>, limit = 3): string[] {
  const target = wanted.toLowerCase();
  const scored: [string, number][] = [];
  for (const name of known) {
    const lower = name.toLowerCase();
    const distance = lower.includes(target) || target.includes(lower) ? 1 : editDistance(target, lower);
    if (distance <= Math.max(2, Math.floor(target.length / 2))) scored.push([name, distance]);
  }
  return scored
    .sort(([a, da], [b, db]) => da - db || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit)
    .map(([name]) => name);
}

/** Levenshtein distance with one row of memory. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}
