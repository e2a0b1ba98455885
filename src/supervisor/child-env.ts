// The environment a slot's child starts with: the daemon's own, what the
// program's `env_file`s set, its `env`, and the names taskmaster gives it.
import type { ProgramConfig } from '../config/types';
import type { Slot } from './slot';

/**
 * Built once per program config: on a restart every microsecond between
 * exit and exec counts, and reading process.env goes through a getenv per
 * variable. The same object is handed out each time, so the spawner can
 * keep execve's form of it too.
 */
export class ChildEnvs {
  private readonly base: Record<string, string> = {};
  private readonly built = new WeakMap<Slot, { program: ProgramConfig; env: Record<string, string> }>();

  constructor(base: NodeJS.ProcessEnv) {
    for (const [k, v] of Object.entries(base)) if (v !== undefined) this.base[k] = v;
  }

  of(slot: Slot): Record<string, string> {
    const cached = this.built.get(slot);
    if (cached?.program === slot.program) return cached.env;
    const p = slot.program;
    const env = { ...this.base, ...p.env_file.vars, ...p.env, TASKMASTER_PROCESS_NAME: slot.name, TASKMASTER_PROGRAM_NAME: p.name };
    this.built.set(slot, { program: p, env });
    return env;
  }
}
