// Reading a job's spool (spool.ts) from its first byte, and with `follow`
// on as it grows, until it is sealed. Pull-based: a chunk is read only when
// the consumer asks for the next one, so a reader holds at most one read
// buffer however far behind it is, and any number of readers of one job
// each read the file on their own and get the same bytes.
import { type FileHandle, open } from 'node:fs/promises';
import { HEADER_BYTES, RECORD_DROPPED, RECORD_STDERR, RECORD_STDOUT } from './spool';

/** What a reader needs of the writer: how far the file is whole, and word when that changes. */
export interface SpoolSource {
  readonly path: string;
  readonly size: number;
  readonly sealed: boolean;
  changed(signal: AbortSignal): Promise<void>;
}

export interface SpoolChunk {
  stream: 'stdout' | 'stderr';
  bytes: Uint8Array;
}

/** The most one read takes; a record longer than this comes out in pieces. */
export const READ_BYTES = 64 * 1024;

/**
 * The spool's output in the order it was written. Without `follow`, up to
 * the size it has when called; with it, until the spool is sealed and read
 * to its end. Ends early, quietly, when `signal` aborts. The dropped-output
 * marker comes out on stderr, where a person reading the output sees it.
 */
export async function* readSpool(source: SpoolSource, follow: boolean, signal: AbortSignal): AsyncGenerator<SpoolChunk> {
  const end = follow ? Infinity : source.size;
  if (end === 0 || signal.aborted) return;
  let file: FileHandle;
  try {
    file = await open(source.path, 'r');
  } catch (err) {
    // Removed (retention) between the caller finding the job and this open: as if it had gone a moment earlier.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const records = new RecordSplitter();
    let pos = 0;
    for (;;) {
      if (signal.aborted) return;
      const limit = Math.min(end, source.size);
      if (pos >= limit) {
        if (!follow || source.sealed) return;
        await source.changed(signal);
        continue;
      }
      // A fresh buffer per read: the consumer may keep the chunks it was given.
      const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, limit - pos));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, pos);
      if (bytesRead === 0) throw new Error(`BUG: ${source.path} is shorter (${pos}) than its writer's size (${limit})`);
      pos += bytesRead;
      for (const chunk of records.split(buffer.subarray(0, bytesRead))) yield chunk;
    }
  } finally {
    await file.close();
  }
}

/** Cuts a byte stream of records into chunks of payload; a header or payload may span reads. */
class RecordSplitter {
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerHave = 0;
  private tag = 0;
  private left = 0;

  *split(data: Buffer): Generator<SpoolChunk> {
    let i = 0;
    while (i < data.length) {
      if (this.left === 0) {
        const take = Math.min(HEADER_BYTES - this.headerHave, data.length - i);
        data.copy(this.header, this.headerHave, i, i + take);
        this.headerHave += take;
        i += take;
        if (this.headerHave < HEADER_BYTES) return;
        this.headerHave = 0;
        this.tag = this.header[0]!;
        this.left = this.header.readUInt32BE(1);
        continue;
      }
      const take = Math.min(this.left, data.length - i);
      yield { stream: streamOf(this.tag), bytes: data.subarray(i, i + take) };
      this.left -= take;
      i += take;
    }
  }
}

function streamOf(tag: number): 'stdout' | 'stderr' {
  if (tag === RECORD_STDOUT) return 'stdout';
  if (tag === RECORD_STDERR || tag === RECORD_DROPPED) return 'stderr';
  throw new Error(`BUG: unknown spool record tag ${tag}`);
}
