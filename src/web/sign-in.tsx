// Who the page acts for: the browser's client certificate when the TLS
// connection carries one (nothing to do), else a bearer token pasted here.
// A call answered UNAUTHENTICATED is what says "sign in".
import { useState } from 'preact/hooks';
import { control, errorText, isUnauthenticated, token } from './client';
import { Alert } from './alert';

export type Auth =
  | { kind: 'checking' }
  | { kind: 'in'; by: 'token' | 'certificate' }
  | { kind: 'out'; message: string | null }
  | { kind: 'unreachable'; message: string };

/** Asks the daemon something every identity may be refused but not unknown to: who are we, if anyone. */
export async function checkAuth(): Promise<Auth> {
  try {
    await control.version({});
  } catch (err) {
    if (isUnauthenticated(err)) return { kind: 'out', message: token.get() === null ? null : `Token refused: ${errorText(err)}` };
    // Known but refused (EPERM: an identity with jobs only) is signed in all the same.
    if (!/^EPERM:/.test(errorText(err))) return { kind: 'unreachable', message: errorText(err) };
  }
  return { kind: 'in', by: token.get() === null ? 'certificate' : 'token' };
}

export function SignIn({ auth, onAuth }: { auth: Auth & { kind: 'out' }; onAuth: (a: Auth) => void }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    token.set(value.trim());
    const next = await checkAuth();
    if (next.kind !== 'in') token.clear();
    setBusy(false);
    onAuth(next);
  };
  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p>
        This browser sent no client certificate that the remote API knows. Paste an API token (<code>taskmasterctl token create NAME</code>) or
        import a client certificate into the browser and reload.
      </p>
      <Alert message={auth.message} />
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Token{' '}
          <input type="password" autoComplete="off" required value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        </label>{' '}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p class="hint">The token is kept for this tab only (sessionStorage) and sent as an Authorization header, never in a URL.</p>
    </section>
  );
}
