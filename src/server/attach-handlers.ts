// `taskmasterctl fg`'s two commands: attach streams one process's output from
// now on, sendInput types into its stdin pipe or terminal and passes the
// window size. Neither changes the process's state; leaving is only the
// caller's connection ending.
import { describeExit, type ExitInfo } from '../core/record';
import { pidOf } from '../core/states';
import { TaskmasterError } from '../protocol/errors';
import type { Slot, Waiter } from '../supervisor/slot';
import type { Child } from '../supervisor/spawner';
import type { HandlerOf } from './handler-types';
import { one } from './selection';

/** The child of a process that runs (STARTING, RUNNING, STOPPING). */
function runningChild(slot: Slot): Child {
  const child = slot.child;
  if (child === null || pidOf(slot.rec.state) !== child.pid) {
    throw new TaskmasterError('ENOTRUNNING', `${slot.name} is not running`);
  }
  return child;
}

/**
 * Resolves when `child` is no longer the slot's, saying how it went, or with
 * null when the caller leaves first. A waiter runs after each decision on
 * the slot: an exit is one (slot.child is cleared just before it), so is a
 * detach, and a reload that removes the slot calls it one last time.
 */
function childGone(slot: Slot, child: Child, exitBefore: ExitInfo | null, closed: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    const waiter: Waiter = (s) => {
      if (s.child === child && !s.removed) return false;
      closed.removeEventListener('abort', left);
      const exit = s.rec.lastExit;
      if (exit !== null && exit !== exitBefore) resolve(describeExit(exit));
      else resolve(s.removed ? 'removed by a reload' : 'no longer supervised (detach)');
      return true;
    };
    const left = (): void => {
      slot.waiters.delete(waiter);
      resolve(null);
    };
    if (closed.aborted) return resolve(null);
    slot.waiters.add(waiter);
    closed.addEventListener('abort', left, { once: true });
  });
}

export const ATTACH_HANDLERS: { attach: HandlerOf<'attach'>; sendInput: HandlerOf<'sendInput'> } = {
  attach: async (ctl, _identity, req, out) => {
    const slot = one(ctl, req.name);
    const child = runningChild(slot);
    const input = child.input ?? null;
    if (req.rows > 0 && req.cols > 0) input?.resize(req.rows, req.cols);
    const attached = { name: slot.name, pid: child.pid, terminal: input?.terminal ?? false, input: input !== null };
    out.send({ event: { case: 'attached', value: attached } });
    // Each chunk is the pipe reader's buffer, valid during the call only:
    // send encodes it before it returns. (redirect_stderr: stderr's bytes
    // are in the stdout log, and come as stdout.)
    const unfollow = [
      slot.stdout.follow((chunk) => out.send({ event: { case: 'stdout', value: chunk } })),
      slot.stderr.follow((chunk) => out.send({ event: { case: 'stderr', value: chunk } })),
    ];
    try {
      const ended = await childGone(slot, child, slot.rec.lastExit, out.closed);
      if (ended !== null) out.send({ event: { case: 'ended', value: ended } });
    } finally {
      for (const stop of unfollow) stop();
    }
  },
  sendInput: async (ctl, _identity, req) => {
    const slot = one(ctl, req.name);
    const input = runningChild(slot).input ?? null;
    if (input === null) {
      throw new TaskmasterError('ENOINPUT', `${slot.name} takes no input: its stdin is /dev/null (set stdin: pipe or tty: true)`);
    }
    if (req.rows > 0 && req.cols > 0) input.resize(req.rows, req.cols);
    if (req.data.length === 0) return {};
    // The answer waits until the pipe or terminal has taken the bytes: fg
    // sends one request at a time, so input piped into it goes at the pace
    // the program reads, and never fills the daemon's queue.
    let taken = (): void => {};
    const written = new Promise<void>((resolve) => (taken = resolve));
    switch (input.write(req.data, taken)) {
      case 'ok':
        await written;
        return {};
      case 'full':
        throw new TaskmasterError('ENOINPUT', `${slot.name} is not reading its input: what was sent before still waits`);
      case 'closed':
        throw new TaskmasterError('ENOINPUT', `${slot.name} has closed its input`);
    }
  },
};
