// The `programs:` maps of the main file and of every include, merged into one
// list. A name may be defined once across all files: two definitions would
// leave the operator guessing which one runs.
import { isMap } from 'yaml';
import type { Pos, Scope } from './issues';
import { expected, fieldsOf, isNull, type Field } from './nodes';
import type { SourceFile } from './source';
import type { ProgramConfig } from './types';
import { validateProgram } from './validate-program';
import { ALL_LIMITS_APPLY, type LimitRefusal } from './limit-refusal';
import { checkDependencies, type DependencySite, dependencySite } from './dependencies';

const NAME = /^[A-Za-z0-9_.-]+$/;
const RESERVED = 'all'; // `taskmasterctl start all` means every program

interface Site {
  file: string;
  at: Pos;
}

export class ProgramRegistry {
  readonly programs: ProgramConfig[] = [];
  private readonly sites = new Map<string, Site>();
  private readonly dependencySites = new Map<string, DependencySite>();

  /** daemonUser: once the daemon has dropped to it, it cannot start programs as anyone else. */
  constructor(
    private readonly daemonUser: string | null = null,
    private readonly refuseLimit: LimitRefusal = ALL_LIMITS_APPLY,
  ) {}

  /** Adds the programs of one file's `programs:` entry (undefined: none). */
  addFrom(src: SourceFile, field: Field | undefined): void {
    if (field === undefined || isNull(field.node)) return;
    if (field.node === null || !isMap(field.node)) {
      src.scope.error(field.at, field.name, expected('a map of program names to their settings', field.node));
      return;
    }
    // Duplicates are kept here so that they are reported below with both places.
    for (const entry of fieldsOf(src, src.scope.below(field.name), field.node, true)) {
      const s = src.scope.forProgram(entry.name);
      // Validated even under a bad name, so its other mistakes show in the same run.
      const program = validateProgram(src, s, entry.name, entry.keyAt, entry.node, this.refuseLimit);
      if (!checkName(s, entry)) continue;
      const first = this.sites.get(entry.name);
      if (first !== undefined) {
        s.error(entry.keyAt, null, `program "${entry.name}" is defined twice: first at ${first.file}:${first.at.line}:${first.at.col}, again at ${src.file}:${entry.keyAt.line}:${entry.keyAt.col}`);
        continue;
      }
      if (this.daemonUser !== null && program.user !== null && program.user !== this.daemonUser) {
        s.error(entry.keyAt, 'user', `taskmasterd drops to user "${this.daemonUser}" (taskmasterd.user), so its programs can run only as "${this.daemonUser}"; got user "${program.user}"`);
        continue;
      }
      this.sites.set(entry.name, { file: src.file, at: entry.keyAt });
      const deps = dependencySite(src, s, entry.node);
      if (deps !== null) this.dependencySites.set(entry.name, deps);
      this.programs.push(program);
    }
  }

  /** Once every file is read: depends_on names that are no program, and cycles. */
  checkDependencies(): void {
    checkDependencies(this.programs, this.dependencySites);
  }
}

function checkName(s: Scope, entry: Field): boolean {
  if (entry.name === RESERVED) {
    s.error(entry.keyAt, null, `the program name "all" is reserved (commands use it to mean every program); choose another name`);
    return false;
  }
  if (!NAME.test(entry.name)) {
    s.error(entry.keyAt, null, `expected a program name made of letters, digits, "_", "." and "-" (":" separates instance numbers), got ${JSON.stringify(entry.name)}`);
    return false;
  }
  return true;
}
