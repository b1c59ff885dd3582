/**
 * A streaming JSON scanner: walks the structure of one or more JSON values (a document, an
 * array, JSON Lines, concatenated documents) chunk by chunk, and hands the subtrees a handler
 * asks for to it as text, so a reader parses one span at a time and never a whole file.
 * Rationale and limits: json-scanner.md beside this file.
 */

import { DEFAULT_LIMITS, formatBytes } from './limits.js';

export type ValueKind = 'object' | 'array' | 'scalar';

/** A container the scanner descended into, with the role the handler gave it. */
export interface ScanFrame<R> {
  readonly kind: 'object' | 'array';
  readonly role: R;
  /** Key or index of this container in its parent; the top-level index for a top-level value. */
  readonly key: string | number;
  readonly parent: ScanFrame<R> | null;
  /** Arrays: index of the current element. */
  index: number;
  /** Objects: the key whose value comes next. */
  pendingKey: string;
}

export type ScanDecision<R> =
  | { readonly action: 'descend'; readonly role: R }
  | { readonly action: 'capture' }
  | { readonly action: 'skip' };

export const CAPTURE: ScanDecision<never> = { action: 'capture' };
export const SKIP: ScanDecision<never> = { action: 'skip' };

export interface ScanHandler<R> {
  /** A value starts under `parent` (null: top level) at `key`; decide what to do with it. */
  enter(parent: ScanFrame<R> | null, key: string | number, kind: ValueKind, line: number): ScanDecision<R>;
  /**
   * The text of a value `enter` asked to capture; `hasBigNumber` when it holds a bare integer of
   * 16 or more digits, which JSON.parse would round.
   */
  capture(parent: ScanFrame<R> | null, key: string | number, text: string, line: number, hasBigNumber: boolean): void;
  /** A container the handler descended into has closed. */
  exit(frame: ScanFrame<R>, line: number): void;
  /**
   * The input is not valid JSON at `line`; every open container is dropped and scanning resumes
   * at the next line that starts a new top-level value.
   */
  syntaxError(line: number, path: string, message: string, isLimit?: boolean): void;
}

/** Bounds on what one scanner holds (limits.ts): captured value size and nesting depth. */
export interface ScanLimits {
  readonly maxValueBytes?: number;
  readonly maxNestingDepth?: number;
}

/** Defaults when a scanner is made without limits (the sniffer's 4 KB head, tests). */
const DEFAULT_MAX_VALUE_BYTES = DEFAULT_LIMITS.maxValueBytes;
const DEFAULT_MAX_NESTING_DEPTH = DEFAULT_LIMITS.maxNestingDepth;

/** Renders the path of a field for messages: `resourceSpans[0].scopeSpans[1].spans[3]`. */
export function formatPath<R>(frame: ScanFrame<R> | null, leaf?: string | number): string {
  const parts: (string | number)[] = [];
  if (leaf !== undefined) parts.push(leaf);
  for (let f = frame; f !== null && f.parent !== null; f = f.parent) parts.push(f.key);
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  }
  return out;
}

// Lexer states of the structural level.
const TOP = 0;
const VALUE = 1;
const ARRAY_FIRST = 2;
const OBJECT_FIRST = 3;
const OBJECT_KEY = 4;
const KEY = 5;
const COLON = 6;
const AFTER_VALUE = 7;
const SKIM = 8;
const LITERAL = 9;
const RESYNC = 10;

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON_CHAR = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const BROKEN_STRING = 'line ends inside a string (truncated record?)';
const BROKEN_VALUE = 'line ends inside a JSON value (truncated record?)';

const LITERAL_PATTERN = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

function isWhitespace(c: number): boolean {
  return c === SPACE || c === NL || c === CR || c === TAB;
}

/** Whether the byte at `at` follows an odd run of backslashes that starts at or after `from`. */
function isEscaped(buf: Buffer, at: number, from: number): boolean {
  let k = at - 1;
  while (k >= from && buf[k] === BACKSLASH) k--;
  return (at - 1 - k) % 2 === 1;
}

function newlineFrom(buf: Buffer, from: number): number {
  const at = buf.indexOf(NL, from);
  return at === -1 ? buf.length : at;
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** One scanner per input; feed it with `write` and finish with `end`. */
export class JsonScanner<R> {
  private state = TOP;
  private frame: ScanFrame<R> | null = null;
  private line = 1;
  private topIndex = 0;
  /** Whether every top-level value so far fitted on one line (JSON Lines); null until known. */
  private singleLine: boolean | null = null;
  private valueStartLine = 1;
  private atLineStart = true;

  // The value being skimmed (skipped or captured).
  private skimDepth = 0;
  private inString = false;
  private escaped = false;
  private capturing = false;
  /** Length of the run of digits outside strings just skimmed, and whether one reached 16. */
  private digitRun = 0;
  private bigNumber = false;
  private captureParts: Buffer[] = [];
  private captureLine = 1;
  private captureKey: string | number = 0;

  /** Bytes of the value being captured held in `captureParts`. */
  private capturedBytes = 0;
  /** Containers the handler descended into (the frames above the skim). */
  private depth = 0;
  private readonly maxValueBytes: number;
  private readonly maxDepth: number;

  // A key or literal being read.
  private tokenParts: Buffer[] = [];
  private tokenBytes = 0;
  private literal = '';

  /** Number of top-level values seen, complete or not. */
  get values(): number {
    return this.topIndex;
  }

  /** Current line number (1-based). */
  get currentLine(): number {
    return this.line;
  }

  constructor(
    private readonly handler: ScanHandler<R>,
    limits: ScanLimits = {},
  ) {
    this.maxValueBytes = limits.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.maxDepth = limits.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH;
  }

  write(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = buf.length;
    let i = 0;
    let keyStart = this.state === KEY ? 0 : -1;
    /** Position of the next newline at or after the skim position (n when none in this chunk). */
    let nextNewline = -1;
    let captureStart = this.state === SKIM && this.capturing ? 0 : -1;
    while (i < n) {
      const state = this.state;
      if (state === SKIM) {
        // Hot loop: walk a skipped or captured value, tracking only strings and depth. Strings,
        // most of a span's bytes, are crossed with indexOf (native memchr) rather than byte by byte.
        let depth = this.skimDepth;
        let inString = this.inString;
        let escaped = this.escaped;
        let digits = this.digitRun;
        let done = false;
        let broken: string | null = null;
        if (nextNewline < i) nextNewline = newlineFrom(buf, i);
        while (i < n) {
          if (inString) {
            if (escaped) {
              escaped = false;
              i++;
              continue;
            }
            const from = i;
            let quote = buf.indexOf(QUOTE, from);
            // A quote after an odd run of backslashes is part of the string.
            while (quote !== -1 && isEscaped(buf, quote, from)) quote = buf.indexOf(QUOTE, quote + 1);
            const end = quote === -1 ? n : quote;
            if (nextNewline < end) {
              if (nextNewline < from) nextNewline = newlineFrom(buf, from);
              if (nextNewline < end) {
                i = nextNewline;
                broken = BROKEN_STRING;
                break;
              }
            }
            if (quote === -1) {
              escaped = isEscaped(buf, n, from);
              i = n;
              break;
            }
            inString = false;
            i = quote + 1;
            if (depth === 0) {
              done = true;
              break;
            }
            continue;
          }
          const c = buf[i]!;
          if (c >= 0x30 && c <= 0x39) {
            if (++digits === 16) this.bigNumber = true;
          } else {
            digits = 0;
            if (c === QUOTE) inString = true;
            else if (c === LBRACE || c === LBRACKET) {
              if (++depth + this.depth > this.maxDepth) {
                broken = this.depthMessage();
                break;
              }
            } else if (c === RBRACE || c === RBRACKET) {
              depth--;
              if (depth === 0) {
                i++;
                done = true;
                break;
              }
            } else if (c === NL) {
              if (this.singleLine === true) {
                broken = BROKEN_VALUE;
                break;
              }
              this.line++;
              nextNewline = newlineFrom(buf, i + 1);
            }
          }
          i++;
        }
        this.digitRun = digits;
        this.skimDepth = depth;
        this.inString = inString;
        this.escaped = escaped;
        if (broken !== null) {
          this.capturing = false;
          this.captureParts = [];
          captureStart = -1;
          this.fail(broken, broken !== BROKEN_STRING && broken !== BROKEN_VALUE);
          continue; // the newline is handled by RESYNC
        }
        if (done) {
          if (this.capturing && this.capturedBytes + (i - Math.max(captureStart, 0)) > this.maxValueBytes) {
            this.capturing = false;
            this.captureParts = [];
            captureStart = -1;
            this.fail(this.sizeMessage(), true);
            continue;
          }
          if (this.capturing) {
            const parts = this.captureParts;
            const text =
              parts.length === 0
                ? buf.toString('utf8', captureStart, i)
                : Buffer.concat([...parts, buf.subarray(0, i)]).toString('utf8');
            this.capturing = false;
            this.captureParts = [];
            captureStart = -1;
            this.handler.capture(this.frame, this.captureKey, text, this.captureLine, this.bigNumber);
          }
          this.valueDone();
        }
        continue;
      }

      const c = buf[i]!;
      switch (state) {
        case TOP:
          if (isWhitespace(c)) {
            if (c === NL) this.newline();
            i++;
          } else {
            this.valueStartLine = this.line;
            this.state = VALUE;
          }
          break;
        case VALUE:
        case ARRAY_FIRST: {
          if (isWhitespace(c)) {
            if (c === NL && !this.newlineInValue()) break;
            i++;
            break;
          }
          if (state === ARRAY_FIRST && c === RBRACKET) {
            i++;
            this.closeFrame();
            break;
          }
          const parent = this.frame;
          const key =
            parent === null ? this.topIndex++ : parent.kind === 'array' ? parent.index : parent.pendingKey;
          if (c === LBRACE || c === LBRACKET) {
            if (this.depth + 1 > this.maxDepth) {
              this.fail(this.depthMessage(), true);
              break;
            }
            const kind = c === LBRACE ? 'object' : 'array';
            const decision = this.handler.enter(parent, key, kind, this.line);
            if (decision.action === 'descend') {
              this.frame = { kind, role: decision.role, key, parent, index: 0, pendingKey: '' };
              this.depth++;
              this.state = c === LBRACE ? OBJECT_FIRST : ARRAY_FIRST;
              i++;
            } else {
              this.startSkim(decision, key, 1, false);
              if (this.capturing) captureStart = i;
              i++;
            }
          } else if (c === QUOTE) {
            const decision = this.handler.enter(parent, key, 'scalar', this.line);
            this.startSkim(decision, key, 0, true);
            if (this.capturing) captureStart = i;
            i++;
          } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
            this.captureKey = key;
            this.literal = '';
            this.state = LITERAL;
          } else {
            this.fail(`unexpected ${describeByte(c)}, expected a value`);
          }
          break;
        }
        case LITERAL:
          if (isWhitespace(c) || c === COMMA || c === RBRACE || c === RBRACKET) {
            this.finishLiteral();
          } else {
            this.literal += String.fromCharCode(c);
            i++;
            if (this.literal.length > 64) this.fail('malformed literal');
          }
          break;
        case OBJECT_FIRST:
        case OBJECT_KEY:
          if (isWhitespace(c)) {
            if (c === NL && !this.newlineInValue()) break;
            i++;
          } else if (c === QUOTE) {
            i++;
            this.state = KEY;
            this.inString = true;
            this.escaped = false;
            this.tokenParts = [];
            this.tokenBytes = 0;
            keyStart = i;
          } else if (c === RBRACE && state === OBJECT_FIRST) {
            i++;
            this.closeFrame();
          } else {
            this.fail(`unexpected ${describeByte(c)}, expected a key in double quotes`);
          }
          break;
        case KEY: {
          let end = -1;
          let escaped = this.escaped;
          for (; i < n; i++) {
            const k = buf[i]!;
            if (escaped) escaped = false;
            else if (k === BACKSLASH) escaped = true;
            else if (k === QUOTE) {
              end = i;
              break;
            } else if (k === NL) break;
          }
          this.escaped = escaped;
          if (i < n && end < 0) {
            this.fail('line ends inside a key');
            break;
          }
          if (end < 0) break; // continues in the next chunk
          const raw =
            this.tokenParts.length === 0
              ? buf.toString('utf8', keyStart, end)
              : Buffer.concat([...this.tokenParts, buf.subarray(keyStart, end)]).toString('utf8');
          this.tokenParts = [];
          keyStart = -1;
          i = end + 1;
          let key: string;
          try {
            key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
          } catch {
            this.fail('invalid escape in a key');
            break;
          }
          this.frame!.pendingKey = key;
          this.state = COLON;
          break;
        }
        case COLON:
          if (isWhitespace(c)) {
            if (c === NL && !this.newlineInValue()) break;
            i++;
          } else if (c === COLON_CHAR) {
            i++;
            this.state = VALUE;
          } else {
            this.fail(`unexpected ${describeByte(c)}, expected ':'`);
          }
          break;
        case AFTER_VALUE: {
          if (isWhitespace(c)) {
            if (c === NL && !this.newlineInValue()) break;
            i++;
            break;
          }
          const frame = this.frame!;
          if (c === COMMA) {
            i++;
            if (frame.kind === 'array') {
              frame.index++;
              this.state = VALUE;
            } else {
              this.state = OBJECT_KEY;
            }
          } else if ((c === RBRACE && frame.kind === 'object') || (c === RBRACKET && frame.kind === 'array')) {
            i++;
            this.closeFrame();
          } else {
            this.fail(`unexpected ${describeByte(c)}, expected ',' or '${frame.kind === 'array' ? ']' : '}'}'`);
          }
          break;
        }
        case RESYNC:
          if (c === NL) {
            this.line++;
            this.atLineStart = true;
            i++;
          } else if (this.atLineStart && (c === LBRACE || c === LBRACKET)) {
            this.state = TOP;
          } else {
            this.atLineStart = false;
            i++;
          }
          break;
      }
    }
    // Keep the unfinished token or capture for the next chunk, within maxValueBytes.
    if (this.state === KEY && keyStart >= 0 && keyStart < n) {
      this.tokenBytes += n - keyStart;
      if (this.tokenBytes > this.maxValueBytes) this.fail(this.sizeMessage('a key'), true);
      else this.tokenParts.push(Buffer.from(buf.subarray(keyStart)));
    }
    if (this.state === SKIM && this.capturing && captureStart >= 0 && captureStart < n) {
      this.capturedBytes += n - captureStart;
      if (this.capturedBytes > this.maxValueBytes) this.fail(this.sizeMessage(), true);
      else this.captureParts.push(Buffer.from(buf.subarray(captureStart)));
    }
  }

  private sizeMessage(what = 'a JSON value'): string {
    return (
      `${what} larger than limits.maxValueBytes (${formatBytes(this.maxValueBytes)}) was not read; ` +
      'raise limits.maxValueBytes in the config file to read it'
    );
  }

  private depthMessage(): string {
    return (
      `JSON nested deeper than limits.maxNestingDepth (${this.maxDepth} levels) was not read; ` +
      'raise limits.maxNestingDepth in the config file to read it'
    );
  }

  /** Finishes the input; an unfinished value is reported as truncated. */
  end(): void {
    if (this.state === LITERAL) this.finishLiteral();
    if (this.state !== TOP && this.state !== RESYNC) {
      this.fail('unexpected end of input: the JSON is truncated');
    }
    this.state = TOP;
  }

  private startSkim(decision: ScanDecision<R>, key: string | number, depth: number, inString: boolean): void {
    this.state = SKIM;
    this.skimDepth = depth;
    this.inString = inString;
    this.escaped = false;
    this.capturing = decision.action === 'capture';
    this.captureParts = [];
    this.capturedBytes = 0;
    this.captureLine = this.line;
    this.captureKey = key;
    this.digitRun = 0;
    this.bigNumber = false;
  }

  private finishLiteral(): void {
    const text = this.literal;
    this.literal = '';
    if (!LITERAL_PATTERN.test(text)) {
      this.fail(`invalid literal '${text}'`);
      return;
    }
    const decision = this.handler.enter(this.frame, this.captureKey, 'scalar', this.line);
    if (decision.action === 'capture') this.handler.capture(this.frame, this.captureKey, text, this.line, text.length >= 16);
    this.valueDone();
  }

  private closeFrame(): void {
    const frame = this.frame!;
    this.frame = frame.parent;
    this.depth--;
    this.handler.exit(frame, this.line);
    this.valueDone();
  }

  private valueDone(): void {
    if (this.frame === null) {
      if (this.singleLine === null) this.singleLine = this.line === this.valueStartLine;
      this.state = TOP;
    } else {
      this.state = AFTER_VALUE;
    }
  }

  private newline(): void {
    this.line++;
  }

  /** A newline between tokens inside a value: fine in a document, a truncated record in JSON Lines. */
  private newlineInValue(): boolean {
    if (this.singleLine === true) {
      this.fail('line ends inside a JSON value (truncated record?)');
      return false;
    }
    this.line++;
    return true;
  }

  private fail(message: string, isLimit = false): void {
    const path = formatPath(this.frame, this.frame === null ? undefined : this.frame.kind === 'array' ? this.frame.index : this.frame.pendingKey || undefined);
    this.handler.syntaxError(this.line, path, message, isLimit);
    this.frame = null;
    this.depth = 0;
    this.capturedBytes = 0;
    this.tokenBytes = 0;
    this.capturing = false;
    this.captureParts = [];
    this.tokenParts = [];
    this.inString = false;
    this.state = RESYNC;
    this.atLineStart = false;
  }
}
