// Splitting `cmd` into argv. Programs are exec'd directly, never through a
// shell, so shell syntax that shell-quote recognises would silently mean
// something else (a literal "|" argument); it is refused with a way out.
import { parse, type ParseEntry } from 'shell-quote';

export type SplitResult = { ok: true; argv: string[] } | { ok: false; message: string };

export function splitCommand(cmd: string): SplitResult {
  // `$VAR` stays literal: the environment is the child's, known only at spawn.
  const entries = parse(cmd, (name: string) => `$${name}`);
  const argv: string[] = [];
  const shellSyntax: string[] = [];
  for (const e of entries as ParseEntry[]) {
    if (typeof e === 'string') argv.push(e);
    else shellSyntax.push(describeEntry(e));
  }
  if (shellSyntax.length > 0) {
    const found = [...new Set(shellSyntax)].join(', ');
    return {
      ok: false,
      message: `found shell syntax (${found}), but the command is run without a shell; to use a shell, write: cmd: ${suggestShell(cmd)}`,
    };
  }
  if (argv.length === 0 || argv[0] === '') {
    return { ok: false, message: `expected a command line whose first word names the program, got ${JSON.stringify(cmd)}` };
  }
  return { ok: true, argv };
}

function describeEntry(e: Exclude<ParseEntry, string>): string {
  if ('comment' in e) return `a comment "#${e.comment}"`;
  if (e.op === 'glob') return `the unquoted glob "${e.pattern}"`;
  return `"${e.op}"`;
}

function suggestShell(cmd: string): string {
  return `sh -c '${cmd.replace(/'/g, `'\\''`)}'`;
}
