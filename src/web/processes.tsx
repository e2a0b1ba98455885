// The process table, live from the watch stream (a status every second),
// with start / stop / restart per process and for the rows ticked.
import { useEffect, useState } from 'preact/hooks';
import type { ActionOutcome, ProcessStatus } from '../gen/taskmaster/v1/control_pb';
import { control, errorText, isCanceled } from './client';
import { ABSENT, bytes, percent, stateName, stateTone, uptime } from './format';
import { Alert } from './alert';

type Action = 'start' | 'stop' | 'restart';
const ACTIONS: readonly Action[] = ['start', 'stop', 'restart'];

// After a failed watch (the daemon restarting, the network gone): try again.
const RETRY_MS = 2000;

/** The processes as the last watch answer had them; null before the first. */
export function useWatch(): Watched {
  const [processes, setProcesses] = useState<ProcessStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const stop = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    const follow = async (): Promise<void> => {
      try {
        for await (const answer of control.watch({ intervalMs: 1000 }, { signal: stop.signal })) {
          setProcesses(answer.processes);
          setError(null);
        }
      } catch (err) {
        if (stop.signal.aborted && isCanceled(err)) return;
        setError(`${errorText(err)} (trying again)`);
        retry = setTimeout(() => void follow(), RETRY_MS);
      }
    };
    void follow();
    return () => {
      stop.abort();
      clearTimeout(retry);
    };
  }, []);
  return { processes, error };
}

/** The failures among the outcomes, one line each. */
function failures(outcomes: ActionOutcome[]): string[] {
  return outcomes.filter((o) => !o.ok).map((o) => `${o.name}: ${o.error ? `${o.error.code}: ${o.error.message}` : 'failed'}`);
}

export interface Watched {
  processes: ProcessStatus[] | null;
  error: string | null;
}

export function Processes({ watched, onShowLog }: { watched: Watched; onShowLog: (name: string) => void }) {
  const { processes, error } = watched;
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const [actionErrors, setActionErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const act = async (action: Action, names: string[]): Promise<void> => {
    setBusy(true);
    setActionErrors([]);
    try {
      const answer = await control[action]({ names });
      setActionErrors(failures(answer.outcomes));
    } catch (err) {
      setActionErrors([errorText(err)]);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (name: string) =>
    setTicked((t) => {
      const next = new Set(t);
      if (!next.delete(name)) next.add(name);
      return next;
    });

  const rows = processes ?? [];
  const selected = rows.filter((p) => ticked.has(p.name)).map((p) => p.name);
  const allTicked = rows.length > 0 && selected.length === rows.length;
  return (
    <section aria-labelledby="processes-title">
      <div class="toolbar">
        <h2 id="processes-title">Processes</h2>
        <span class="count">{selected.length} selected</span>
        {ACTIONS.map((a) => (
          <button type="button" disabled={busy || selected.length === 0} onClick={() => void act(a, selected)}>
            {`${a[0]!.toUpperCase()}${a.slice(1)} selected`}
          </button>
        ))}
      </div>
      <Alert message={error} />
      {actionErrors.map((e) => (
        <Alert message={e} />
      ))}
      <div class="table-scroll">
        <table class="processes">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every process"
                  checked={allTicked}
                  onChange={() => setTicked(allTicked ? new Set() : new Set(rows.map((p) => p.name)))}
                />
              </th>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">PID</th>
              <th scope="col">Uptime</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
              <th scope="col">Restarts</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {processes === null && (
              <tr>
                <td colSpan={9}>{error === null ? 'Loading…' : ''}</td>
              </tr>
            )}
            {rows.map((p) => (
              <tr key={p.name} data-name={p.name}>
                <td>
                  <input type="checkbox" aria-label={`Select ${p.name}`} checked={ticked.has(p.name)} onChange={() => toggle(p.name)} />
                </td>
                <th scope="row" class="name">
                  {p.name}
                </th>
                <td>
                  <span class={`state ${stateTone(p.state)}`} title={p.description}>
                    {stateName(p.state)}
                  </span>
                </td>
                <td class="num">{p.pid ?? (p.detachedPid !== undefined ? `detached ${p.detachedPid}` : ABSENT)}</td>
                <td class="num">{uptime(p.uptimeS)}</td>
                <td class="num">{percent(p.stats?.cpuPercent)}</td>
                <td class="num">{bytes(p.stats?.rssBytes)}</td>
                <td class="num">{p.restarts}</td>
                <td class="actions">
                  {ACTIONS.map((a) => (
                    <button type="button" disabled={busy} aria-label={`${a} ${p.name}`} onClick={() => void act(a, [p.name])}>
                      {a}
                    </button>
                  ))}
                  <button type="button" aria-label={`log of ${p.name}`} onClick={() => onShowLog(p.name)}>
                    log
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
