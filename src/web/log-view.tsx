// A followed stream shown as text that stays scrolled to its end while the
// reader is there (and stays put when they scrolled up to read).
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Followed } from './follow';
import { Alert } from './alert';

export function LogView({ followed, label }: { followed: Followed; label: string }) {
  const box = useRef<HTMLPreElement>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el !== null && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [followed.text]);
  const onScroll = () => {
    const el = box.current;
    if (el !== null) atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  const s = followed.status;
  return (
    <div class="log">
      <p class="log-status" aria-live="polite">
        {s.kind === 'live' ? 'following' : s.kind === 'ended' ? 'ended' : ''}
      </p>
      <Alert message={s.kind === 'failed' ? s.message : null} />
      <pre ref={box} class="log-text" tabIndex={0} aria-label={label} onScroll={onScroll}>
        {followed.text}
      </pre>
    </div>
  );
}
