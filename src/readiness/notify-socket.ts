// The daemon's sd_notify socket for `ready: notify` programs (the notify
// addon, src/native/notify.c): bound on first need, so a config without
// notify programs costs nothing, at one path that every such program gets
// as NOTIFY_SOCKET. Who sent a message is the kernel's word (SO_PASSCRED).
import { unlinkSync } from 'node:fs';
import { daemonAddon } from '../native/load';

export const NOTIFY_ASSET = 'taskmaster-notify.node';

interface NotifyAddon {
  listen(path: string, onMessage: (text: string, pid: number, uid: number, gid: number) => void): unknown;
  close(handle: unknown): void;
}

/** One datagram with its sender, as the kernel vouches for it. */
export interface NotifyMessage {
  text: string;
  pid: number;
  uid: number;
}

/** The socket as the readiness edge sees it (a fake in unit tests). */
export interface NotifyEndpoint {
  /** Binds on the first call; the path to give programs, or why there is none. */
  open(): { ok: true; path: string } | { ok: false; why: string };
  /** Where messages go; one listener. */
  onMessage(listener: (message: NotifyMessage) => void): void;
  close(): void;
}

const loadAddon = daemonAddon<NotifyAddon>(NOTIFY_ASSET, 'notify');

export function notifySocket(path: string): NotifyEndpoint {
  let state: { ok: true; path: string; handle: unknown; addon: NotifyAddon } | { ok: false; why: string } | null = null;
  let listener: (message: NotifyMessage) => void = () => undefined;
  return {
    open() {
      if (state === null) {
        const loaded = loadAddon();
        if (loaded.addon === null) {
          state = { ok: false, why: loaded.why };
        } else {
          try {
            const handle = loaded.addon.listen(path, (text, pid, uid) => listener({ text, pid, uid }));
            state = { ok: true, path, handle, addon: loaded.addon };
          } catch (err) {
            state = { ok: false, why: `cannot bind ${path}: ${(err as Error).message}` };
          }
        }
      }
      return state.ok ? { ok: true, path: state.path } : { ok: false, why: state.why };
    },
    onMessage(l) {
      listener = l;
    },
    close() {
      if (state?.ok !== true) return;
      state.addon.close(state.handle);
      state = { ok: false, why: 'closed' };
      try {
        unlinkSync(path);
      } catch {
        // gone already, or not ours to remove after a privilege drop
      }
    },
  };
}
