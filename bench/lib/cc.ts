// The C limits and helpers, compiled at bench time with the system's cc:
// statically when the static libc is there (no dynamic loader in the
// measured exec), else dynamically.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_SRC } from './paths';

export type Tool = 'forkexec' | 'forkloop' | 'pipecat' | 'reforker' | 'stamper' | 'upstamp' | 'writer';
export type Tools = Record<Tool, string>;

export function compileTools(outDir: string): Tools {
  const tools = {} as Tools;
  for (const name of ['forkexec', 'forkloop', 'pipecat', 'reforker', 'stamper', 'upstamp', 'writer'] as const) {
    const src = join(BENCH_SRC, 'limits', `${name}.c`);
    const out = join(outDir, name);
    try {
      execFileSync('cc', ['-O2', '-static', '-o', out, src], { stdio: 'pipe' });
    } catch {
      execFileSync('cc', ['-O2', '-o', out, src], { stdio: 'pipe' });
    }
    tools[name] = out;
  }
  return tools;
}
