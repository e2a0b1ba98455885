// The external observer of the spawn and scale workloads: it times the spawn
// wave the same way for every supervisor (and the limit), so that a
// supervisor's costly status answer does not inflate its start figure, nor a
// cheap one flatter it.
//
// Every supervised program is limits/upstamp.c: once exec'd it writes one
// line "ID PID NS" (CLOCK_MONOTONIC) into a FIFO this observer reads, and
// keeps the FIFO open until it dies. So the kernel tells the observer both
// edges: a line per exec, and end-of-file once the last program has exited.
// Nothing scans /proc: at 10,000 programs one scan reads 10,000 files, and
// scanning often enough to time a wave would take a core from the
// supervisors. Its own cost is one short line per exec, counted in cpuNs.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { nowNs } from './time';

export interface Stamp {
  pid: number;
  ns: bigint; // CLOCK_MONOTONIC at the program's start, the clock of lib/time.ts
}

/** Parses whole "ID PID NS" lines; returns what is left of an unfinished last line. */
export function parseStamps(text: string, onStamp: (id: string, s: Stamp) => void): string {
  const lines = text.split('\n');
  const rest = lines.pop()!;
  for (const line of lines) {
    const [id, pid, ns] = line.split(' ');
    if (!id || !pid || !ns || !/^\d+$/.test(pid) || !/^\d+$/.test(ns)) throw new Error(`observer: malformed stamp ${JSON.stringify(line)}`);
    onStamp(id, { pid: Number(pid), ns: BigInt(ns) });
  }
  return rest;
}

export class Observer {
  /** every id's stamps, oldest first: a program restarted has several */
  readonly stamps = new Map<string, Stamp[]>();
  /** how many stamps came, all ids together, and the latest of them */
  starts = 0;
  private lastNs = 0n;
  /** CPU time this process spent on the stamps (parsing them, checking the waits): its own cost. From getrusage, so any other thread busy meanwhile counts too: an upper bound. */
  cpuNs = 0n;
  private readonly reader: Socket;
  private writer: number | null;
  private endNs: bigint | null = null;
  private failure: Error | null = null;
  private rest = '';
  private readonly checks = new Set<() => void>();

  constructor(readonly fifo: string) {
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    // Non-blocking: no writer exists yet. Then a writer of our own, so that
    // the read end sees no end-of-file before the first program opens it.
    this.reader = new Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
    this.writer = openSync(fifo, constants.O_WRONLY);
    this.reader.setEncoding('utf8');
    this.reader.on('data', (chunk: string) => {
      const t = process.cpuUsage();
      try {
        this.rest = parseStamps(this.rest + chunk, (id, s) => {
          this.starts++;
          if (s.ns > this.lastNs) this.lastNs = s.ns;
          const list = this.stamps.get(id);
          if (list) list.push(s);
          else this.stamps.set(id, [s]);
        });
      } catch (err) {
        this.failure = err as Error;
      }
      this.recheck();
      const used = process.cpuUsage(t);
      this.cpuNs += BigInt(used.user + used.system) * 1000n;
    });
    this.reader.on('end', () => {
      this.endNs = nowNs();
      this.recheck();
    });
    this.reader.on('error', (err) => {
      this.failure = err;
      this.recheck();
    });
  }

  private recheck(): void {
    for (const c of this.checks) c();
  }

  /** Resolves with probe's first value other than undefined, tried now and after every new stamp. */
  until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.checks.delete(check);
        clearTimeout(timer);
      };
      const check = (): void => {
        if (this.failure) {
          done();
          reject(this.failure);
          return;
        }
        const v = probe();
        if (v !== undefined) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.stamps.size} programs seen)`));
      }, timeoutMs);
      this.checks.add(check);
      check();
    });
  }

  /** Once `count` starts have been stamped (the instances of a program share its id): the latest stamp. */
  allStarted(count: number, timeoutMs: number): Promise<bigint> {
    return this.until(`${count} starts`, timeoutMs, () => (this.starts < count ? undefined : this.lastNs));
  }

  /** The first stamp of `id` taken after `afterNs`: a start of that program after that moment. */
  startedAfter(id: string, afterNs: bigint, timeoutMs: number): Promise<Stamp> {
    return this.until(`${id} to start again`, timeoutMs, () => this.stamps.get(id)?.find((s) => s.ns > afterNs));
  }

  /** The ids that started more than once, less `except`. */
  restarted(except: string[]): string[] {
    return [...this.stamps].filter(([id, list]) => list.length > 1 && !except.includes(id)).map(([id]) => id);
  }

  /**
   * The programs that stamped and still run: what to kill once their
   * supervisor is gone. A pid is ours only while its command line names our
   * FIFO; an exited program's pid may already belong to someone else.
   */
  survivors(): number[] {
    const ours = (pid: number): boolean => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.fifo);
      } catch {
        return false;
      }
    };
    return [...this.stamps.values()].flatMap((list) => list.map((s) => s.pid)).filter(ours);
  }

  /** Drops our own writer: from now on, end-of-file means every program has exited. */
  release(): void {
    if (this.writer !== null) closeSync(this.writer);
    this.writer = null;
  }

  /** After release(): when end-of-file came, i.e. the last program exited (our clock, as the event reached us). */
  allExited(timeoutMs: number): Promise<bigint> {
    if (this.writer !== null) throw new Error('observer: allExited() before release()');
    return this.until('every program to exit', timeoutMs, () => this.endNs ?? undefined);
  }

  close(): void {
    this.release();
    this.reader.destroy();
    rmSync(this.fifo, { force: true });
  }
}
