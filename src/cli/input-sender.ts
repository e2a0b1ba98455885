// What `fg` sends to the process, in order: one sendInput at a time, and
// whatever was typed meanwhile goes in the next one, together. A window size
// waiting is sent with it; only the latest counts.
import type { Caller } from '../protocol/commands';

/**
 * The most one sendInput carries. Typing never comes near it; input piped
 * into fg can: a request line is bounded (MAX_LINE_BYTES, in base64 here)
 * and the daemon queues at most MAX_PENDING_INPUT for a child, so a larger
 * batch would be refused whole where smaller ones go through.
 */
export const MAX_SEND_BYTES = 64 * 1024;

export interface WindowSize {
  rows: number;
  cols: number;
}

export class InputSender {
  private pending: Uint8Array[] = [];
  private size: WindowSize | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly caller: Pick<Caller, 'call'>,
    private readonly name: string,
    /** A sendInput refused (ENOINPUT, ENOTRUNNING) or lost (ECONNECT): the bytes are dropped. */
    private readonly refused: (e: unknown) => void,
  ) {}

  send(data: Uint8Array): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.kick();
  }

  resize(size: WindowSize): void {
    if (size.rows <= 0 || size.cols <= 0) return;
    this.size = size;
    this.kick();
  }

  /** Bytes given and not yet sent: input piped in pauses while this is large. */
  backlog(): number {
    return this.pending.reduce((n, p) => n + p.length, 0);
  }

  /** Resolves once everything given so far has been answered. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private kick(): void {
    if (this.running !== null) return;
    this.running = this.pump().finally(() => {
      this.running = null;
      // Given between the pump's last look and here: a new round.
      if (this.pending.length > 0 || this.size !== null) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.pending.length > 0 || this.size !== null) {
      const data = concat(this.takeBatch());
      const size = this.size ?? { rows: 0, cols: 0 };
      this.size = null;
      try {
        await this.caller.call('sendInput', { name: this.name, data, ...size });
      } catch (e) {
        this.refused(e);
      }
    }
  }

  /** The pending chunks from the front, up to MAX_SEND_BYTES (a larger chunk is cut). */
  private takeBatch(): Uint8Array[] {
    const batch: Uint8Array[] = [];
    let size = 0;
    while (this.pending.length > 0 && size < MAX_SEND_BYTES) {
      const next = this.pending[0]!;
      const room = MAX_SEND_BYTES - size;
      if (next.length <= room) {
        batch.push(this.pending.shift()!);
        size += next.length;
      } else {
        batch.push(next.subarray(0, room));
        this.pending[0] = next.subarray(room);
        size += room;
      }
    }
    return batch;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
