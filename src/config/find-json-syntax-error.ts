/**
 * The first syntax error of a JSON text that JSON.parse rejected, as an offset and a sentence.
 * V8's wording, and whether it gives a position at all, change between Node versions; this
 * scan's do not. It is iterative (no recursion, so no stack overflow on deep nesting) and only
 * locates and names the mistake: JSON.parse still does the parsing.
 */

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_WORD = /[A-Za-z_$][\w$-]*/y;
const JSON_ESCAPE = /^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/;

export function findJsonSyntaxError(source: string): { offset: number; message: string } | null {
  let i = 0;
  const open: ('{' | '[')[] = [];
  const skipSpace = () => {
    while (i < source.length && ' \t\n\r'.includes(source[i]!)) i++;
  };
  const quote = (c: string) => JSON.stringify(c);
  const unexpected = (expected: string) => {
    if (i >= source.length) return { offset: i, message: `unexpected end of file; expected ${expected}` };
    const c = source[i]!;
    if (c === "'") return { offset: i, message: 'strings need double quotes, not single quotes' };
    if (c === '"') return { offset: i, message: `unexpected string; expected ${expected}` };
    if (/[-0-9]/.test(c)) return { offset: i, message: `unexpected number; expected ${expected}` };
    JSON_WORD.lastIndex = i;
    const word = JSON_WORD.exec(source)?.[0];
    const hint = expected.includes('double quotes') ? '' : ' (strings need double quotes)';
    if (word !== undefined) return { offset: i, message: `unexpected ${quote(word)}; expected ${expected}${hint}` };
    return { offset: i, message: `unexpected ${quote(c)}; expected ${expected}` };
  };
  const readString = () => {
    const start = i++;
    for (;;) {
      const c = source[i];
      if (c === undefined) return { offset: start, message: 'string never closed' };
      if (c === '"') {
        i++;
        return null;
      }
      if (c === '\\') {
        const escape = JSON_ESCAPE.exec(source.slice(i + 1, i + 6))?.[0];
        if (escape === undefined) return { offset: i, message: `invalid escape ${quote(source.slice(i, i + 2))} in a string` };
        i += 1 + escape.length;
        continue;
      }
      if (c === '\n' || c === '\r') return { offset: i, message: 'line break inside a string (a closing quote missing?)' };
      if (c < ' ') return { offset: i, message: 'control character inside a string; escape it' };
      i++;
    }
  };
  const readKey = () => {
    skipSpace();
    if (source[i] !== '"') return unexpected('a property name in double quotes');
    const error = readString();
    if (error !== null) return error;
    skipSpace();
    if (source[i] !== ':') return unexpected('":" after the property name');
    i++;
    return null;
  };
  for (;;) {
    // A value is expected at i.
    skipSpace();
    const c = source[i];
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      const close = c === '{' ? '}' : ']';
      if (source[i] === close) {
        i++;
      } else {
        open.push(c);
        if (c === '{') {
          const error = readKey();
          if (error !== null) return error;
        }
        continue;
      }
    } else if (c === '"') {
      const error = readString();
      if (error !== null) return error;
    } else if (c !== undefined && /[-0-9]/.test(c)) {
      JSON_NUMBER.lastIndex = i;
      const number = JSON_NUMBER.exec(source)?.[0];
      if (number === undefined) return { offset: i, message: 'invalid number' };
      i += number.length;
    } else {
      const literal = ['true', 'false', 'null'].find((word) => source.startsWith(word, i));
      if (literal === undefined) return unexpected('a value');
      i += literal.length;
    }
    // After a value: close what it ends, or move on to the next element.
    for (;;) {
      skipSpace();
      const container = open.at(-1);
      if (container === undefined) {
        return i < source.length ? { offset: i, message: 'unexpected content after the end of the JSON value' } : null;
      }
      const close = container === '{' ? '}' : ']';
      if (source[i] === close) {
        open.pop();
        i++;
        continue;
      }
      if (source[i] !== ',') return unexpected(`"," or "${close}"`);
      const comma = i++;
      skipSpace();
      if (source[i] === close) return { offset: comma, message: `trailing comma before "${close}"` };
      if (container === '{') {
        const error = readKey();
        if (error !== null) return error;
      }
      break;
    }
  }
}
