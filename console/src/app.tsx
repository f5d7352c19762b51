import { useEffect, useState } from 'preact/hooks';
import { currentSession, signIn, signOut, SIGNED_OUT, type Session } from './api';
import { ErrorAlert } from './components/error-alert';
import { LiveContext, useEventStream } from './live';
import { Drills } from './pages/drills';
import { IncidentList } from './pages/incident-list';
import { IncidentPage } from './pages/incident-page';
import { Register } from './pages/register';
import { parseRoute, replaceRoute, useRoute, type Route } from './router';

type Auth = { phase: 'loading' } | { phase: 'signed-out'; reason?: string } | { phase: 'signed-in'; session: Session };

/**
 * Signs in from a `#/signin/<token>` link, or finds the session the cookie holds. The token leaves
 * the address bar and the history before the request is even sent, whether it works or not.
 */
async function authenticate(): Promise<Auth> {
  const route = parseRoute(location.hash);
  if (route.page === 'signin') {
    replaceRoute('#/incidents');
    try {
      return { phase: 'signed-in', session: await signIn(route.token) };
    } catch (e) {
      return { phase: 'signed-out', reason: `This sign-in link was refused: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const session = await currentSession();
  return session ? { phase: 'signed-in', session } : { phase: 'signed-out' };
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'incident':
      return <IncidentPage id={route.id} />;
    case 'register':
      return <Register />;
    case 'drills':
      return <Drills />;
    default:
      return <IncidentList />;
  }
}

function SignedOut({ reason }: { reason?: string }) {
  return (
    <main id="main" class="signed-out">
      <h1>breachline console</h1>
      <ErrorAlert message={reason} />
      <p>
        Sign in with a one-time link: type <code>/ir console</code> in Slack (in the demo:{' '}
        <code>bin/breachline slack '/ir console'</code>) and open the link it sends you within 15 minutes.
      </p>
    </main>
  );
}

/** The console: header and navigation, the live stream, and the page the URL names. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ phase: 'loading' });
  const route = useRoute();
  const live = useEventStream(auth.phase === 'signed-in');
  useEffect(() => {
    authenticate().then(setAuth, (e: unknown) => setAuth({ phase: 'signed-out', reason: e instanceof Error ? e.message : String(e) }));
    const expired = (): void => setAuth({ phase: 'signed-out', reason: 'Your session has ended. Sign in again.' });
    addEventListener(SIGNED_OUT, expired);
    return () => removeEventListener(SIGNED_OUT, expired);
  }, []);
  useEffect(() => {
    // A link opened while the console is already open signs in again (e.g. as another user).
    // (The route of the first render is stale: the mount effect above has already taken its token.)
    if (parseRoute(location.hash).page === 'signin') authenticate().then(setAuth, () => undefined);
  }, [route]);
  if (auth.phase === 'loading') return <p aria-busy="true">Loading…</p>;
  if (auth.phase === 'signed-out') return <SignedOut {...(auth.reason ? { reason: auth.reason } : {})} />;
  const { session } = auth;
  const current = route.page === 'incident' ? 'incidents' : route.page;
  return (
    <LiveContext.Provider value={live}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <span class="brand">breachline</span>
        <nav aria-label="Console">
          {(['incidents', 'register', 'drills'] as const).map((p) => (
            <a key={p} href={`#/${p}`} aria-current={current === p ? 'page' : undefined}>
              {p === 'incidents' ? 'Incidents' : p === 'register' ? 'Breach register' : 'Drills'}
            </a>
          ))}
        </nav>
        <span class={live.connected ? 'live on' : 'live off'} data-live={String(live.connected)}>
          {live.connected ? 'live' : 'offline'}
        </span>
        <span class="who" data-user={session.user}>
          {session.user} ({session.roles.join(', ') || 'no role'})
        </span>
        <button type="button" class="secondary" onClick={() => void signOut().finally(() => setAuth({ phase: 'signed-out' }))}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </LiveContext.Provider>
  );
}
