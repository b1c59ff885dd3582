/**
 * SQL only through prepared statements: no value is ever spliced into SQL text. Every template
 * literal and string concatenation in src/store/*.ts that reads as SQL is checked with the
 * TypeScript type checker: each `${...}` (or each non-literal operand of `+`) must be chosen in
 * code, which the checker proves when its type is a literal or a union of literals (a column name
 * picked by a conditional, a fixed `WHERE` fragment), or when it calls a function of the same
 * file whose parameters all have such types (the MIN/MAX column helpers). The only other
 * interpolation is listed below with its reason. Anything else fails the test, listed.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Interpolations a type cannot prove fixed, each with why it is safe. */
const REVIEWED: Record<string, string> = {
  SCHEMA_VERSION: 'the number of migrations in src/store/schema.ts; PRAGMA user_version takes no bound parameter',
};

/** Text that reads as SQL (upper-case keywords, as this code base writes them). */
const SQL = /\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|VACUUM|WHERE|VALUES|COALESCE|ORDER BY|GROUP BY)\b|\bexcluded\.|\buser_version\b/;

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly expression: string;
  readonly sql: string;
}

function isLiteralType(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.every(isLiteralType);
  return type.isStringLiteral() || type.isNumberLiteral() || (type.flags & ts.TypeFlags.BooleanLiteral) !== 0;
}

/** Whether `node` is a value chosen in code rather than one that comes from data. */
function isCodeChosen(node: ts.Expression, checker: ts.TypeChecker): boolean {
  if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node)) return true;
  if (ts.isParenthesizedExpression(node)) return isCodeChosen(node.expression, checker);
  if (ts.isConditionalExpression(node)) return isCodeChosen(node.whenTrue, checker) && isCodeChosen(node.whenFalse, checker);
  if (isLiteralType(checker.getTypeAtLocation(node))) return true;
  if (ts.isCallExpression(node)) {
    // A helper whose every parameter is a literal type composes SQL from code-chosen pieces only
    // (its own templates are checked where they are declared).
    const declaration = checker.getResolvedSignature(node)?.getDeclaration();
    if (declaration === undefined || declaration.getSourceFile() !== node.getSourceFile()) return false;
    return (
      declaration.parameters.length > 0 &&
      declaration.parameters.every((p) => isLiteralType(checker.getTypeAtLocation(p))) &&
      node.arguments.every((a) => isCodeChosen(a, checker))
    );
  }
  return REVIEWED[node.getText()] !== undefined;
}

/** The SQL built by interpolating or concatenating values that are not chosen in code, in `files`. */
function findSplicedSql(files: readonly string[]): Finding[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const findings: Finding[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`not compiled: ${file}`);
    const report = (node: ts.Node, expression: ts.Node, sql: string) =>
      findings.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, expression: expression.getText(), sql: sql.replace(/\s+/g, ' ').slice(0, 100) });
    const visit = (node: ts.Node): void => {
      if (ts.isTemplateExpression(node)) {
        const text = node.head.text + node.templateSpans.map((s) => s.literal.text).join(' ');
        if (SQL.test(text)) for (const span of node.templateSpans) if (!isCodeChosen(span.expression, checker)) report(node, span.expression, text);
      } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        const parts: ts.Expression[] = [];
        const flatten = (e: ts.Expression): void => {
          if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
            flatten(e.left);
            flatten(e.right);
          } else parts.push(e);
        };
        flatten(node);
        const text = parts.filter(ts.isStringLiteralLike).map((p) => p.text).join(' ');
        if (SQL.test(text)) for (const part of parts) if (!isCodeChosen(part, checker)) report(node, part, text);
        return; // the operands were all seen
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return findings;
}

describe('SQL in src/store', () => {
  const dir = join(ROOT, 'src/store');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));

  it('is never built from values: every interpolation in SQL text is chosen in code', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    const findings = findSplicedSql(files);
    const listed = findings.map((f) => `${f.file.slice(ROOT.length)}:${f.line}: \${${f.expression}} in "${f.sql}"`).join('\n');
    expect(findings, `SQL built from values (bind them as ? parameters instead):\n${listed}`).toEqual([]);
  });

  it('the check finds a value spliced into SQL, by template or by +, and accepts a code-chosen column', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rollgraph-sql-'));
    const file = join(scratch, 'bad-store.ts');
    writeFileSync(
      file,
      `declare const db: { prepare(sql: string): unknown };
       export function byName(name: string, side: 'from' | 'to', limit: number) {
         db.prepare(\`SELECT * FROM services WHERE name = '\${name}'\`);
         db.prepare('SELECT * FROM edges WHERE from_node = "' + name + '"');
         db.prepare(\`SELECT * FROM edges WHERE \${side === 'from' ? 'from_node' : 'to_node'} = ? LIMIT \${limit}\`);
         const column = side === 'from' ? 'from_node' : 'to_node';
         db.prepare(\`SELECT \${column} FROM edges\`);
         return \`no service \${name}\`;
       }`,
    );
    const found = findSplicedSql([file]).map((f) => `${f.line} ${f.expression}`);
    expect(found).toEqual(['3 name', '4 name', '5 limit']);
  });
});
