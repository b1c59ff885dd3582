/** `7d`, `36h`, `2w`, `30s`: a span of time for `--since`, `--stale-after` and `--wait`, in milliseconds. */
import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseDuration(option: string): (value: string) => number {
  return (value: string) => {
    const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
    if (!match) throw new UsageError(`${option} takes a duration such as 7d, 36h, 2w or 30s, got ${JSON.stringify(value)}`);
    return Number(match[1]) * UNITS[match[2]!]!;
  };
}
