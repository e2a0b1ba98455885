// Reloading the config while running: one reload at a time, all or nothing.
// An invalid file is refused with its errors and nothing changes; a valid
// one is applied as a diff (see supervisor/reload.ts).
import { DAEMON_FIELDS, DAEMON_KEYS } from '../config/daemon-fields';
import { diffDaemon, diffPrograms } from '../config/diff';
import { formatIssues } from '../config/format';
import { loadConfig } from '../config/load';
import type { Config } from '../config/types';
import type { Notifier } from '../notify/sd-notify';
import { TaskmasterError } from '../protocol/errors';
import type { ReloadResponse } from '../gen/taskmaster/v1/control_pb';
import { applyPrograms, reloadResponseOf } from '../supervisor/reload';
import type { Supervisor } from '../supervisor/supervisor';
import type pino from 'pino';
import { monotonicUsec } from './notify-status';
import { ALL_LIMITS_APPLY, type LimitRefusal } from '../config/limit-refusal';

export class Reloader {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    public config: Config,
    private readonly supervisor: Supervisor,
    private readonly log: pino.Logger,
    private readonly notifier: Notifier,
    /** After a reload that succeeded, with the config now in force. */
    private readonly onReloaded: (config: Config) => void = () => undefined,
    /** Why this host cannot apply a limit setting: a reload asking for one is refused like a bad file. */
    private readonly refuseLimit: LimitRefusal = ALL_LIMITS_APPLY,
    /** A good file, before its programs are applied: whatever must see the apply's own events (hooks) gets ready. */
    private readonly onLoaded: (next: Config) => void = () => undefined,
  ) {}

  /** Queued behind any reload under way; a burst of SIGHUPs ends in the last config. */
  reload(): Promise<ReloadResponse> {
    const next = this.chain.then(() => this.apply());
    this.chain = next.catch(() => undefined); // a failed reload does not block the next
    return next;
  }

  /** What a reload would change now, changing nothing; after any reload under way. */
  preview(): Promise<ReloadResponse> {
    return this.chain.then(() => reloadResponseOf(diffPrograms(this.config.programs, this.loadFile(false).programs)));
  }

  /** Resolves when no reload is under way. */
  idle(): Promise<unknown> {
    return this.chain;
  }

  private async apply(): Promise<ReloadResponse> {
    this.notifier.send(`RELOADING=1\nMONOTONIC_USEC=${monotonicUsec()}`);
    try {
      return await this.applyFile();
    } finally {
      this.notifier.send('READY=1');
    }
  }

  /** The config file as it is now; throws EBADCONFIG when it is refused (logged, for a real reload). */
  private loadFile(forReload: boolean): Config {
    const { log } = this;
    const file = this.config.file;
    const loaded = loadConfig(file, this.refuseLimit);
    if (!loaded.ok) {
      const text = formatIssues(loaded.errors);
      if (forReload) log.error({ errors: loaded.errors.length }, `reload refused, nothing changed:\n${text}`);
      throw new TaskmasterError('EBADCONFIG', `${text}\n${file}: ${loaded.errors.length} error(s); nothing changed`);
    }
    if (forReload) for (const w of loaded.warnings) log.warn({ file: w.file, line: w.line }, w.message);
    return loaded.config;
  }

  private async applyFile(): Promise<ReloadResponse> {
    const { log } = this;
    const file = this.config.file;
    log.info({ file }, 'reloading config');
    const next = this.loadFile(true);
    const changed = diffDaemon(this.config.daemon, next.daemon);
    if (changed.includes('loglevel')) log.level = next.daemon.loglevel;
    const later = changed.filter((k) => DAEMON_FIELDS[k].onChange === 'restart');
    if (later.length > 0) log.warn({ keys: later }, `taskmasterd settings ${later.join(', ')} take effect at the next daemon start`);
    this.onLoaded(next);
    const diff = await applyPrograms(this.supervisor, this.config.programs, next.programs);
    // The daemon's `restart` settings stay as started until a restart; its `in-place` ones (loglevel, remote) take effect.
    const inPlace = Object.fromEntries(DAEMON_KEYS.filter((k) => DAEMON_FIELDS[k].onChange === 'in-place').map((k) => [k, next.daemon[k]]));
    this.config = { ...next, daemon: { ...this.config.daemon, ...inPlace } };
    this.onReloaded(this.config);
    this.supervisor.events.publish(() => ({
      type: 'reload',
      time: new Date().toISOString(),
      added: diff.added,
      removed: diff.removed,
      restarted: diff.restarted,
      updated: diff.updated,
    }));
    log.info({ diff }, `reloaded: added [${diff.added}] removed [${diff.removed}] restarted [${diff.restarted}] updated [${diff.updated}]`);
    return diff;
  }
}
