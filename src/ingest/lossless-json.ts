/**
 * JSON.parse that keeps 64-bit integers exact: OTLP timestamps in nanoseconds (~1.7e18) exceed
 * 2^53, and some exporters write them as bare numbers, which JSON.parse would round. Bare
 * integers of 16 or more digits are turned into strings before parsing. The scanner tells
 * whether a captured value holds such a number; otherwise one regular-expression test does.
 */

const MAYBE_BIG_NUMBER = /[:,[]\s*-?\d{16}/;

export function parseJsonLossless(text: string, mayHaveBigNumber = MAYBE_BIG_NUMBER.test(text)): unknown {
  return JSON.parse(mayHaveBigNumber ? quoteBigIntegers(text) : text);
}

/** Wraps every bare integer literal of 16+ digits outside strings in quotes. */
export function quoteBigIntegers(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) j++;
        else break;
      }
      const token = text.slice(i, j);
      if (/^-?\d{16,}$/.test(token)) {
        out += text.slice(last, i) + '"' + token + '"';
        last = j;
      }
      i = j - 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}
