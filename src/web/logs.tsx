// The log panels: a process's stdout or stderr followed live (`tail -f`),
// with a download link from the logUrl rpc, and the daemon's own log
// (`maintail -f`).
import { useState } from 'preact/hooks';
import { OutputStream } from '../gen/taskmaster/v1/control_pb';
import { control, errorText } from './client';
import { useFollow } from './follow';
import { LogView } from './log-view';
import { Alert } from './alert';

// What a panel shows of a log's past before its new lines.
const BACKLOG_LINES = 200;

type StreamName = 'stdout' | 'stderr';
const STREAMS: Record<StreamName, OutputStream> = { stdout: OutputStream.STDOUT, stderr: OutputStream.STDERR };

export function ProcessLog({ names, name, onName }: { names: string[]; name: string | null; onName: (name: string) => void }) {
  const [stream, setStream] = useState<StreamName>('stdout');
  const [download, setDownload] = useState<{ ok: true; url: string } | { ok: false; message: string } | null>(null);
  const followed = useFollow(
    name === null
      ? null
      : async function* (signal) {
          for await (const piece of control.tail({ name, stream: STREAMS[stream], lines: BACKLOG_LINES, follow: true }, { signal })) yield piece.data;
        },
    `${name ?? ''}\n${stream}`,
  );
  const askUrl = async (): Promise<void> => {
    if (name === null) return;
    setDownload(null);
    try {
      const answer = await control.logUrl({ name, stream: STREAMS[stream] });
      setDownload({ ok: true, url: answer.url });
    } catch (err) {
      setDownload({ ok: false, message: errorText(err) });
    }
  };
  return (
    <section aria-labelledby="process-log-title" class="panel">
      <div class="toolbar">
        <h2 id="process-log-title">Process log</h2>
        <label>
          Process{' '}
          <select value={name ?? ''} onChange={(e) => onName((e.target as HTMLSelectElement).value)}>
            <option value="" disabled>
              choose…
            </option>
            {names.map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Stream{' '}
          <select value={stream} onChange={(e) => setStream((e.target as HTMLSelectElement).value as StreamName)}>
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
          </select>
        </label>
        <button type="button" disabled={name === null} onClick={() => void askUrl()}>
          Download link
        </button>
      </div>
      {download?.ok === true && (
        <p>
          <a href={download.url} download>
            Download {name} {stream}
          </a>{' '}
          (the link expires in minutes)
        </p>
      )}
      <Alert message={download?.ok === false ? download.message : null} />
      {name === null ? <p class="hint">Choose a process, or its “log” button in the table.</p> : <LogView followed={followed} label={`${stream} of ${name}`} />}
    </section>
  );
}

export function DaemonLog() {
  const followed = useFollow(async function* (signal) {
    for await (const piece of control.maintail({ lines: BACKLOG_LINES, follow: true }, { signal })) yield piece.data;
  }, 'daemon');
  return (
    <section aria-labelledby="daemon-log-title" class="panel">
      <h2 id="daemon-log-title">Daemon log</h2>
      <LogView followed={followed} label="the daemon's log" />
    </section>
  );
}
