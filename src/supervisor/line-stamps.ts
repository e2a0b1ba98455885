// `stdout_timestamps` / `stderr_timestamps`: each line of a stream prefixed
// with the wall-clock time it was read, `2026-12-04T10:31:02.123Z `, before
// it reaches the log file and the `tail -f` followers. Only the streams that
// ask for it pass through here; the others go from the pipe to the log as
// before, at no cost.

/**
 * A sink that stamps what it passes on. Whether the next byte starts a line
 * is remembered across chunks: a line the reader hands over in pieces is
 * stamped once, when its first byte arrives, and a chunk that ends without a
 * newline stamps nothing after it until more comes. All the lines of one
 * chunk were read at the same moment and get the same time.
 */
export function stampLines(write: (chunk: Buffer) => void, wallNow: () => number): (chunk: Buffer) => void {
  let atLineStart = true;
  return (chunk) => {
    if (chunk.length === 0) return;
    const stamp = Buffer.from(`${new Date(wallNow()).toISOString()} `, 'latin1');
    const parts: Buffer[] = [];
    let from = 0;
    while (from < chunk.length) {
      if (atLineStart) parts.push(stamp);
      const newline = chunk.indexOf(0x0a, from);
      const end = newline === -1 ? chunk.length : newline + 1;
      parts.push(chunk.subarray(from, end));
      atLineStart = newline !== -1;
      from = end;
    }
    // One write per chunk, as without stamps: the log and its followers see the same pieces.
    write(Buffer.concat(parts));
  };
}
