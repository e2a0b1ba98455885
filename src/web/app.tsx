// The page: sign-in until the gateway knows who we are, then three tabs —
// processes (table and a process's log), jobs, and the daemon's log.
import { useEffect, useState } from 'preact/hooks';
import { token } from './client';
import { Jobs } from './jobs';
import { DaemonLog, ProcessLog } from './logs';
import { Processes, useWatch } from './processes';
import { type Auth, checkAuth, SignIn } from './sign-in';

const TABS = { processes: 'Processes', jobs: 'Jobs', daemon: 'Daemon log' } as const;
type Tab = keyof typeof TABS;

function ProcessesTab() {
  const watched = useWatch();
  const [logOf, setLogOf] = useState<string | null>(null);
  return (
    <>
      <Processes watched={watched} onShowLog={setLogOf} />
      <ProcessLog names={(watched.processes ?? []).map((p) => p.name)} name={logOf} onName={setLogOf} />
    </>
  );
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ kind: 'checking' });
  const [tab, setTab] = useState<Tab>('processes');
  useEffect(() => void checkAuth().then(setAuth), []);
  const signOut = () => {
    token.clear();
    setAuth({ kind: 'out', message: null });
  };
  return (
    <>
      <header>
        <h1>taskmaster</h1>
        {auth.kind === 'in' && (
          <nav aria-label="Views">
            {(Object.keys(TABS) as Tab[]).map((t) => (
              <button type="button" class="tab" aria-pressed={tab === t} onClick={() => setTab(t)}>
                {TABS[t]}
              </button>
            ))}
          </nav>
        )}
        {auth.kind === 'in' && (
          <p class="who">
            {auth.by === 'token' ? (
              <>
                signed in with a token{' '}
                <button type="button" onClick={signOut}>
                  Sign out
                </button>
              </>
            ) : (
              'signed in by client certificate'
            )}
          </p>
        )}
      </header>
      <main>
        {auth.kind === 'checking' && <p>Connecting…</p>}
        {auth.kind === 'unreachable' && (
          <p class="error" role="alert">
            {auth.message}{' '}
            <button type="button" onClick={() => void checkAuth().then(setAuth)}>
              Try again
            </button>
          </p>
        )}
        {auth.kind === 'out' && <SignIn auth={auth} onAuth={setAuth} />}
        {auth.kind === 'in' && tab === 'processes' && <ProcessesTab />}
        {auth.kind === 'in' && tab === 'jobs' && <Jobs />}
        {auth.kind === 'in' && tab === 'daemon' && <DaemonLog />}
      </main>
    </>
  );
}
