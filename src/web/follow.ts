// A panel's view of a server stream of text: what came so far (its end
// only: a log followed for hours must not fill the tab's memory), and
// whether the stream is still open, ended, or failed and why.
import { useEffect, useState } from 'preact/hooks';
import { errorText, isCanceled } from './client';
import { keepTail } from './format';

// About a thousand lines of a log.
const KEPT_CHARS = 128 * 1024;

export type Opener = (signal: AbortSignal) => AsyncIterable<string>;

export interface Followed {
  text: string;
  status: { kind: 'idle' } | { kind: 'live' } | { kind: 'ended' } | { kind: 'failed'; message: string };
}

/** Follows `open`'s stream while `key` stays the same; a new key starts over. Null: nothing to follow. */
export function useFollow(open: Opener | null, key: string): Followed {
  const [state, setState] = useState<Followed>({ text: '', status: { kind: 'idle' } });
  useEffect(() => {
    if (open === null) {
      setState({ text: '', status: { kind: 'idle' } });
      return undefined;
    }
    const stop = new AbortController();
    setState({ text: '', status: { kind: 'live' } });
    void (async () => {
      try {
        for await (const piece of open(stop.signal)) setState((s) => ({ ...s, text: keepTail(s.text + piece, KEPT_CHARS) }));
        setState((s) => ({ ...s, status: { kind: 'ended' } }));
      } catch (err) {
        if (!stop.signal.aborted || !isCanceled(err)) setState((s) => ({ ...s, status: { kind: 'failed', message: errorText(err) } }));
      }
    })();
    return () => stop.abort();
  }, [key]);
  return state;
}
