// A stream over a terminal's master fd: the daemon reads a `tty: true`
// program's output from it and writes what `fg` types into it; the drain
// (src/drain.ts) reads it after a detach.
import { Socket, type SocketConstructorOpts } from 'node:net';

interface PipeWrap {
  Pipe: new (type: number) => { open(fd: number): number };
  constants: { SOCKET: number };
}

/**
 * A stream over a terminal's master fd. Node offers none: net.Socket refuses
 * a terminal (ERR_INVALID_FD_TYPE), and tty.ReadStream leaves a master in
 * blocking mode, where a write to a program that reads nothing would stop
 * the daemon. libuv's pipe handle reads and writes any stream fd in
 * non-blocking mode; Node's own internal binding makes one (process.binding
 * is deprecated for new uses, in documentation only, and still served).
 */
export function terminalStream(fd: number): Socket {
  const binding = (process as unknown as { binding(name: string): PipeWrap }).binding('pipe_wrap');
  const handle = new binding.Pipe(binding.constants.SOCKET);
  const err = handle.open(fd);
  if (err !== 0) throw Object.assign(new Error(`cannot read the terminal (fd ${fd}): libuv error ${err}`), { code: 'EIO' });
  return new Socket({ handle, readable: true, writable: true } as SocketConstructorOpts);
}
