import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, onUnauthenticated, saveToken, savedToken } from './api';
import { ErrorPanel } from './components/common';
import { restartLive, useLiveStatus } from './live';
import { AlarmsPage } from './pages/alarms';
import { InventoryPage } from './pages/inventory';
import { PlanPage } from './pages/plan';
import { PlansPage } from './pages/plans';
import { RulesPage } from './pages/rules';
import { href, useRoute } from './router';
import { type Session, SessionContext } from './session';

/**
 * The session, or a 401 without asking the API when a token is needed and none was typed yet: a
 * first visit then shows the sign-in form, not a refused call in the browser's console.
 */
async function whoAmI(): Promise<Session> {
  if (!savedToken()) {
    const settings = await get<{ authentication: boolean }>('/console/settings.json');
    if (settings.authentication)
      throw new ApiError(401, 'UNAUTHENTICATED', 'this engine needs a bearer token');
  }
  return get<Session>('/v1/session');
}

const PAGES = [
  ['plans', 'Plans'],
  ['inventory', 'Inventory'],
  ['rules', 'Rules'],
  ['alarms', 'Alarms'],
] as const;

function SignIn({ error, onToken }: { error?: ApiError; onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <main class="sign-in">
      <h1>Reflex console</h1>
      <p>This engine needs a bearer token (AUTH_TOKENS). It is kept for this browser tab only.</p>
      {error && <ErrorPanel error={error} />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <label>
          Token
          <input
            type="password"
            autocomplete="current-password"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function LiveIndicator() {
  const status = useLiveStatus();
  const words = {
    connecting: 'connecting',
    live: 'live',
    retrying: 'reconnecting',
    denied: 'no live updates',
  };
  return (
    <span class={`live live-${status}`} role="status" aria-label="Live updates">
      {words[status]}
    </span>
  );
}

function Page({ route }: { route: string[] }) {
  const [page, id] = route;
  if (page === 'plans' && id) return <PlanPage id={id} />;
  if (page === 'plans') return <PlansPage />;
  if (page === 'inventory') return <InventoryPage />;
  if (page === 'rules') return <RulesPage name={id} />;
  if (page === 'alarms') return <AlarmsPage key={id} resource={id} />;
  return <ErrorPanel error={new ApiError(404, 'NOT_FOUND', `no page "${page}"`)} />;
}

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(null);
  const [failure, setFailure] = useState<ApiError | undefined>(undefined);
  const [checking, setChecking] = useState(true);

  const check = () => {
    setChecking(true);
    whoAmI().then(
      (s) => {
        setSession(s);
        setFailure(undefined);
        setChecking(false);
        restartLive();
      },
      (e: ApiError) => {
        setSession(null);
        setFailure(e);
        setChecking(false);
      },
    );
  };
  useEffect(check, []);
  useEffect(() => onUnauthenticated((e) => (setSession(null), setFailure(e))), []);

  if (checking && !session) return <main class="loading">Loading…</main>;
  if (!session && failure?.status === 401)
    return (
      <SignIn
        error={savedToken() ? failure : undefined}
        onToken={(token) => {
          saveToken(token);
          check();
        }}
      />
    );
  if (!session) return <main>{failure && <ErrorPanel error={failure} />}</main>;

  const signOut = () => {
    saveToken(null);
    setSession(null);
    setFailure(new ApiError(401, 'UNAUTHENTICATED', 'signed out'));
  };
  return (
    <SessionContext.Provider value={session}>
      <header class="top">
        <a class="brand" href={href('plans')}>
          Reflex
        </a>
        <nav aria-label="Console">
          {PAGES.map(([key, label]) => (
            <a key={key} href={href(key)} aria-current={route[0] === key ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          <LiveIndicator />
          <span aria-label="Signed in as">
            {session.name} ({session.role})
          </span>
          {session.authentication && (
            <button type="button" class="link" onClick={signOut}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </SessionContext.Provider>
  );
}
