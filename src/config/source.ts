// Reading one YAML file with positions kept, so every later issue can say
// file:line:col. Syntax errors end the work on that file: validating a
// half-parsed document would only add noise after the real mistake.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { IssueList, NO_POS, Scope, type Pos } from './issues';

export interface SourceFile {
  file: string; // absolute
  doc: Document.Parsed;
  lines: LineCounter;
  scope: Scope; // issues found in this file, no program yet
}

export function positionIn(lines: LineCounter, offset: number): Pos {
  const { line, col } = lines.linePos(offset);
  return { line, col };
}

/** Reads and parses `file`; null (with issues recorded) when unreadable or not valid YAML. */
export function readSource(file: string, issues: IssueList): SourceFile | null {
  const abs = resolve(file);
  const scope = new Scope(issues, abs, dirname(abs));
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    scope.error(NO_POS, null, `cannot read the file: ${describeReadError(err)}`);
    return null;
  }
  const lines = new LineCounter();
  // uniqueKeys off: duplicate keys are reported by our own walk, which can name
  // both places (and, for programs, places in different files).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  for (const w of doc.warnings) scope.warn(positionIn(lines, w.pos[0]), null, `YAML: ${w.message}`);
  if (doc.errors.length > 0) {
    // One mistake in a flow collection can cascade into an error per
    // character after it; the first few locate it, the rest are noise.
    for (const e of doc.errors.slice(0, MAX_SYNTAX_ERRORS)) scope.error(positionIn(lines, e.pos[0]), null, `invalid YAML: ${yamlMessage(e.message)}`);
    const more = doc.errors.length - MAX_SYNTAX_ERRORS;
    if (more > 0) {
      scope.error(positionIn(lines, doc.errors[MAX_SYNTAX_ERRORS]!.pos[0]), null, `invalid YAML: ${more} more error(s) after these, most likely caused by them`);
    }
    return null;
  }
  return { file: abs, doc, lines, scope };
}

const MAX_SYNTAX_ERRORS = 20;

/** The parser's message, except where it is a JS engine's: its recursion gives out before the nesting does. */
function yamlMessage(message: string): string {
  return /Maximum call stack size exceeded/.test(message) ? 'collections nested too deeply to read' : message;
}

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, expected a YAML file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
