// What a VM step left in the results share, read back on the host: its exit
// code, its output, its facts (KEY=VALUE lines written by lib.sh's fact) and
// any file it saved. A scenario's host checks (scenarios/NAME.ts) take one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScenarioResult {
  name: string;
  /** The step's exit code; null when it has none (it never ran, or the VM died in it); 124: its timeout. */
  exit: number | null;
  log: string;
  facts: Record<string, string>;
  /** The fact KEY; throws (with every fact and the log's end) when the step did not write it. */
  fact(key: string): string;
  /** The file NAME the step saved; throws like fact when missing. */
  file(name: string): string;
  /** For assertion messages: the step's facts and the end of its output. */
  context(): string;
}

/** A scenario's host side: each entry is one test, named by its key. */
export type Checks = Record<string, (r: ScenarioResult) => void>;

export function readResult(results: string, name: string): ScenarioResult {
  const dir = join(results, name);
  const read = (file: string): string | undefined => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : undefined);
  const exitText = read('exit');
  const log = read('log') ?? '';
  const facts: Record<string, string> = {};
  for (const line of (read('facts') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) facts[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const context = (): string => `step ${name}: facts ${JSON.stringify(facts, null, 1)}\nits output ends:\n${log.slice(-3000)}`;
  const missing = (what: string): Error => new Error(`${what} was not written by the VM step ${name}\n${context()}`);
  return {
    name,
    exit: exitText === undefined ? null : Number(exitText.trim()),
    log,
    facts,
    fact: (key) => facts[key] ?? (() => { throw missing(`the fact ${key}`); })(),
    file: (file) => read(file) ?? (() => { throw missing(`the file ${file}`); })(),
    context,
  };
}
