// A remote client that stops reading a streaming call (a `logs` follow) is
// cut off. The daemon paces a follower to its reader and the gateway stops
// reading the daemon when answers queue up, so memory stays bounded either
// way; what the cut-off frees is the call itself — its connection to the
// daemon, the daemon's reader of the job's spool — which a client that
// never reads would otherwise hold for ever.
//
// "Takes nothing": connect-node pulls the handler's next answer only once
// Node has flushed the last one (`write` then 'drain'), so a handler's
// `yield` that does not return means the answer is waiting on the client.
// While it waits, the bytes buffered for the call going down count
// as the client taking some. Node completes an HTTP/2 write only once all of
// its frames are out, so the grain of that measure is one answer (at most
// one spool read, 64 KiB): a client that takes less than one answer per
// stall_timeout cannot be told apart from one that stopped.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createContextKey } from '@connectrpc/connect';

/** The client's end of one call. */
export interface ClientSide {
  /** Bytes of the answer written and not yet gone to the client. */
  waiting(): number;
  /** Ends the call at once, whatever is still buffered for it. */
  cut(): void;
}

/** Set by the server for every call; null only for a call it did not see arrive (a bug). */
export const CLIENT_SIDE = createContextKey<ClientSide | null>(null);

/** What a cut-off call is logged with. */
export interface Stall {
  as: string;
  method: string;
  /** Bytes that waited for the client when it was cut. */
  bytes: number;
  /** How long it had taken nothing. */
  seconds: number;
}

/** What the routes need to know of remote clients beyond the call itself. */
export interface StallPolicy {
  /** remote.stall_timeout as in force when the call starts; 0: never cut. */
  timeoutMs(): number;
  onStall(stall: Stall): void;
}

export function clientSideOf(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): ClientSide {
  if ('stream' in req) {
    const stream = req.stream;
    return {
      waiting: () => stream.bufferSize,
      cut: () => {
        // gRPC's mapping of RST_STREAM ENHANCE_YOUR_CALM is RESOURCE_EXHAUSTED
        // (grpc-js, grpc C core, connect-node all follow it); a trailer with
        // the message could not be sent past the data the client is not taking.
        stream.close(constants.NGHTTP2_ENHANCE_YOUR_CALM);
        unblockWrite(res);
      },
    };
  }
  // HTTP/1.1 (gRPC-Web, Connect): the connection is the call's; closing it is all there is.
  return {
    waiting: () => res.writableLength,
    cut: () => {
      req.socket.destroy();
      unblockWrite(res);
    },
  };
}

/**
 * connect-node waits for 'drain' or 'error' on the response after a write
 * Node could not flush, and a stream reset from this side gives it neither:
 * the handler would stay suspended for ever. An 'error' with the code Node
 * gives a write to a destroyed stream ends the wait; connect reads that code
 * as "the client went away" and ends the call without logging it. Emitted
 * only while connect listens (with no listener, emit would throw).
 */
function unblockWrite(res: ServerResponse | Http2ServerResponse): void {
  if (res.listenerCount('error') === 0) return;
  res.emit('error', Object.assign(new Error('the client stopped reading; call cut'), { code: 'ERR_STREAM_DESTROYED' }));
}

/** When the client was last seen taking data, and how many bytes waited then. */
export interface Progress {
  at: number;
  waiting: number;
}

export type StallCheck = { stalled: false; last: Progress } | { stalled: true; waiting: number; forMs: number };

/** One look at a call whose answer waits: fewer bytes waiting than last time is the client taking some. */
export function checkStall(last: Progress, waiting: number, now: number, limitMs: number): StallCheck {
  if (waiting < last.waiting) return { stalled: false, last: { at: now, waiting } };
  if (now - last.at >= limitMs) return { stalled: true, waiting, forMs: now - last.at };
  return { stalled: false, last: { at: last.at, waiting } };
}

// Looks per stall_timeout at a waiting answer: a client is cut between 1 and
// 1 + 1/LOOKS_PER_LIMIT stall_timeouts after it last took anything.
const LOOKS_PER_LIMIT = 4;

/** One streaming call's watch; `onStall` is called at most once. */
export class StallWatch {
  private stalled = false;

  constructor(
    private readonly side: ClientSide,
    private readonly limitMs: number,
    private readonly onStall: (check: { waiting: number; forMs: number }) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** An answer handed to connect: call the function returned once it was taken (the handler's yield returned, or the call ended). */
  handOver(): () => void {
    if (this.limitMs === 0 || this.stalled) return () => undefined;
    let last: Progress = { at: this.clock(), waiting: this.side.waiting() };
    const timer = setInterval(() => {
      if (this.stalled) return; // reported already (by this look or another answer's)
      const check = checkStall(last, this.side.waiting(), this.clock(), this.limitMs);
      if (!check.stalled) {
        last = check.last;
        return;
      }
      clearInterval(timer);
      this.stalled = true;
      this.onStall({ waiting: check.waiting, forMs: check.forMs });
    }, this.limitMs / LOOKS_PER_LIMIT);
    return () => clearInterval(timer);
  }
}
