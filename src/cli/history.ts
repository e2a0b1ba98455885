// The shell's history file: ~/.taskmasterctl_history, one command per line,
// oldest first, appended as commands are typed and trimmed to HISTORY_MAX.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export const HISTORY_FILE = '.taskmasterctl_history';
export const HISTORY_MAX = 1000;

export class History {
  private count = 0;
  private warned = false;

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** The saved commands, oldest first. */
  load(): string[] {
    const lines = this.read();
    if (lines.length > HISTORY_MAX) return this.trim(lines);
    this.count = lines.length;
    return lines;
  }

  add(line: string): void {
    try {
      appendFileSync(this.path, line + '\n', { mode: 0o600 });
    } catch (e) {
      return this.failed(e);
    }
    // Trimmed in batches rather than on every line: the file may reach twice the cap between trims.
    if (++this.count > 2 * HISTORY_MAX) this.trim(this.read());
  }

  private read(): string[] {
    try {
      return readFileSync(this.path, 'utf8').split('\n').filter((l) => l !== '');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.failed(e);
      return [];
    }
  }

  private trim(lines: string[]): string[] {
    const kept = lines.slice(-HISTORY_MAX);
    try {
      // Written aside and renamed over, so a crash never leaves half a history.
      writeFileSync(`${this.path}.tmp`, kept.map((l) => l + '\n').join(''), { mode: 0o600 });
      renameSync(`${this.path}.tmp`, this.path);
    } catch (e) {
      this.failed(e);
    }
    this.count = kept.length;
    return kept;
  }

  private failed(e: unknown): void {
    // History is a convenience: say once that it is not kept, then carry on.
    if (this.warned) return;
    this.warned = true;
    this.warn(`taskmasterctl: history not saved to ${this.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
