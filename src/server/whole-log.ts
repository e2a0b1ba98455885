// A process's log as the tail and logUrl commands reach it, and `tail` with
// `whole`: the live file from its first byte, sent in chunks as fast as the
// client takes them — the bytes behind a log link's download.
import { fstatSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { OutputStream } from '../gen/taskmaster/v1/control_pb';
import { TaskmasterError } from '../protocol/errors';
import type { OutputLog } from '../supervisor/output-log';
import type { Slot } from '../supervisor/slot';
import type { Stream } from './handler-types';

// Per read and per item: small enough to keep the daemon's memory flat for
// a log of any size, large enough that a 20 MB file is a few hundred items.
const CHUNK_BYTES = 64 * 1024;

export type StreamName = 'stdout' | 'stderr';

/** Unset (0, protobuf's default) is stdout, as taskmasterctl's default. */
export function streamName(stream: OutputStream): StreamName {
  return stream === OutputStream.STDERR ? 'stderr' : 'stdout';
}

/** The slot's log of that stream; ENOLOG when stderr goes to stdout's. */
export function logOf(slot: Slot, stream: StreamName): OutputLog {
  if (stream === 'stderr' && slot.program.redirect_stderr) {
    throw new TaskmasterError('ENOLOG', `${slot.name}: stderr is redirected to stdout (redirect_stderr); tail stdout`);
  }
  return slot[stream];
}

/** The live file of that log; ENOLOG when the output is discarded (`none`). */
export function liveFileOf(slot: Slot, stream: StreamName): { path: string; heldBack: Buffer } {
  const file = logOf(slot, stream).liveFile();
  if (file === null) throw new TaskmasterError('ENOLOG', `${slot.name}: ${stream} is discarded (${stream}: none); there is no file to send`);
  return file;
}

/**
 * Sends the live file as it is now, then the unfinished line the file holds
 * back: what `tail` would show if it had no limit. Bytes written after the
 * start are not sent (the download ends), nor are the rotated backups. The
 * text is UTF-8: a character cut between two reads is sent whole; bytes that
 * are not UTF-8 arrive as U+FFFD, as with tail.
 */
export async function sendWholeLog(slot: Slot, stream: StreamName, out: Stream<'tail'>): Promise<void> {
  const { path } = liveFileOf(slot, stream);
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new TaskmasterError('ENOLOG', `${slot.name}: cannot read its ${stream} log: ${err.code ?? err.message}`);
  });
  try {
    // The size and the held line in one tick (liveFile): a write cannot fall
    // between them, so no byte is sent twice or missed. A rotation meanwhile
    // leaves our descriptor on the old file, which we read to this size.
    const size = fstatSync(file.fd).size;
    const held = Buffer.from(liveFileOf(slot, stream).heldBack);
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let at = 0;
    while (at < size && !out.closed.aborted) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK_BYTES, size - at), at);
      if (bytesRead === 0) break; // truncated under us (copytruncate): what is left is gone
      at += bytesRead;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      if (text !== '') out.send({ data: text });
      await out.drained();
    }
    const rest = decoder.write(held) + decoder.end();
    if (rest !== '' && !out.closed.aborted) out.send({ data: rest });
  } finally {
    await file.close();
  }
}
