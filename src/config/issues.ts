// Issues are collected, never thrown: a config with ten mistakes should be
// fixed in one edit, not ten restarts.
/** One problem found in a config, with where it was found. */
export interface ConfigIssue {
  file: string;
  line: number; // 1-based; 0 when unknown
  col: number; // 1-based; 0 when unknown
  program: string | null;
  key: string | null; // dotted path below the program, e.g. 'env.ANSWER'
  message: string; // what was expected, what was found, the valid choices
}

export interface Pos {
  line: number; // 1-based; 0 when unknown
  col: number;
}

export const NO_POS: Pos = { line: 0, col: 0 };

export class IssueList {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
}

/** Where issues are being reported from: one file, and maybe one program in it.
 *  Keys passed to `error`/`warn` are relative to the scope, e.g. 'stopsignal'. */
export class Scope {
  constructor(
    readonly issues: IssueList,
    readonly file: string,
    readonly dir: string,
    readonly program: string | null = null,
    private readonly keyPrefix: string = '',
  ) {}

  /** A scope for one program of the same file. */
  forProgram(name: string): Scope {
    return new Scope(this.issues, this.file, this.dir, name, '');
  }

  /** A scope whose keys are below `prefix`, e.g. 'taskmasterd'. */
  below(prefix: string): Scope {
    return new Scope(this.issues, this.file, this.dir, this.program, this.qualify(prefix) ?? '');
  }

  error(at: Pos, key: string | null, message: string): void {
    this.issues.errors.push(this.issue(at, key, message));
  }

  warn(at: Pos, key: string | null, message: string): void {
    this.issues.warnings.push(this.issue(at, key, message));
  }

  private qualify(key: string | null): string | null {
    if (key === null) return this.keyPrefix === '' ? null : this.keyPrefix;
    return this.keyPrefix === '' ? key : `${this.keyPrefix}.${key}`;
  }

  private issue(at: Pos, key: string | null, message: string): ConfigIssue {
    return { file: this.file, line: at.line, col: at.col, program: this.program, key: this.qualify(key), message };
  }
}

/** Issues in reading order: files as first met, then by line and column
 *  (collection order follows validation, which jumps around within a map). */
export function inReadingOrder(list: readonly ConfigIssue[]): ConfigIssue[] {
  const fileRank = new Map<string, number>();
  for (const i of list) if (!fileRank.has(i.file)) fileRank.set(i.file, fileRank.size);
  return [...list].sort((a, b) => fileRank.get(a.file)! - fileRank.get(b.file)! || a.line - b.line || a.col - b.col);
}
