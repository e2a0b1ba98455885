// The jobs tab: the caller's jobs (JobService list), one run from a command
// line, its output followed live, and a kill button while it runs.
import { useEffect, useState } from 'preact/hooks';
import { quote } from 'shell-quote';
import { type Job, JobState } from '../gen/taskmaster/v1/jobs_pb';
import { splitCommand } from '../config/command';
import { errorText, jobs } from './client';
import { useFollow } from './follow';
import { LogView } from './log-view';
import { ABSENT } from './format';
import { Alert } from './alert';

const STATE_NAMES: Record<JobState, string> = {
  [JobState.UNSPECIFIED]: 'UNKNOWN',
  [JobState.RUNNING]: 'RUNNING',
  [JobState.EXITED]: 'EXITED',
  [JobState.KILLED]: 'KILLED',
  [JobState.FAILED]: 'FAILED',
};

function outcome(job: Job): string {
  if (job.exitCode !== undefined) return `exit ${job.exitCode}`;
  if (job.signal !== undefined) return job.signal;
  return job.error !== '' ? job.error : ABSENT;
}

/** A job's output, stdout and stderr in the order they came, until it ends. */
function JobOutput({ id, onEnded }: { id: string; onEnded: () => void }) {
  const followed = useFollow(async function* (signal) {
    const text = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    for await (const m of jobs.logs({ jobId: id, follow: true }, { signal })) {
      const e = m.event;
      if (e.case === 'stdout' || e.case === 'stderr') yield text[e.case].decode(e.value, { stream: true });
      else if (e.case === 'ended') onEnded();
    }
  }, id);
  return <LogView followed={followed} label={`output of job ${id}`} />;
}

export function Jobs() {
  const [list, setList] = useState<Job[]>([]);
  const [shown, setShown] = useState<string | null>(null);
  const [line, setLine] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = async (): Promise<void> => {
    try {
      setList((await jobs.list({})).jobs);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => void refresh(), []);

  const run = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(null);
    const split = splitCommand(line);
    if (!split.ok) return setError(split.message);
    try {
      const answer = await jobs.run({ command: split.argv[0]!, args: split.argv.slice(1) });
      if (answer.job !== undefined) setShown(answer.job.id);
      setLine('');
    } catch (err) {
      setError(errorText(err));
    }
    await refresh();
  };
  const kill = async (id: string): Promise<void> => {
    setError(null);
    try {
      await jobs.kill({ jobId: id, signal: '' });
    } catch (err) {
      setError(errorText(err));
    }
    await refresh();
  };

  return (
    <section aria-labelledby="jobs-title" class="panel">
      <h2 id="jobs-title">Jobs</h2>
      <form class="toolbar" onSubmit={(e) => void run(e)}>
        <label class="grow">
          Command line{' '}
          <input type="text" value={line} required placeholder="uname -a" onInput={(e) => setLine((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Run</button>
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </form>
      <Alert message={error} />
      <div class="table-scroll">
        <table class="jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Command</th>
              <th scope="col">State</th>
              <th scope="col">Outcome</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.length === 0 && (
              <tr>
                <td colSpan={5}>No jobs yet.</td>
              </tr>
            )}
            {list.map((j) => (
              <tr key={j.id} data-job={j.id}>
                <th scope="row" class="name id">
                  {j.id}
                </th>
                <td class="command">{quote([j.command, ...j.args])}</td>
                <td>{STATE_NAMES[j.state]}</td>
                <td>{outcome(j)}</td>
                <td class="actions">
                  <button type="button" aria-label={`output of job ${j.id}`} onClick={() => setShown(j.id)}>
                    output
                  </button>
                  <button type="button" aria-label={`kill job ${j.id}`} disabled={j.state !== JobState.RUNNING} onClick={() => void kill(j.id)}>
                    kill
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown !== null && (
        <>
          <h3>Output of job {shown}</h3>
          <JobOutput id={shown} onEnded={() => void refresh()} />
        </>
      )}
    </section>
  );
}
