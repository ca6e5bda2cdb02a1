import { lazy, Suspense, useEffect, useState } from 'react';
import { api, ApiError, roleAllows, setCsrf, setOnUnauthorized, type Role, type Session } from './api';
import { Link, match, useLocation } from './router';
import { Dashboard } from './pages/Dashboard';
import { Runs, RunDetail } from './pages/Runs';
// Pages with an editor or a graph load their code on first use: the dashboard paints without it.
const DeadLetters = lazy(() => import('./pages/DeadLetters').then((m) => ({ default: m.DeadLetters })));
const DeadLetterDetail = lazy(() => import('./pages/DeadLetters').then((m) => ({ default: m.DeadLetterDetail })));
const Connections = lazy(() => import('./pages/Connections').then((m) => ({ default: m.Connections })));
const ConnectionDetail = lazy(() => import('./pages/Connections').then((m) => ({ default: m.ConnectionDetail })));
const Flows = lazy(() => import('./pages/Flows').then((m) => ({ default: m.Flows })));
const Mappings = lazy(() => import('./pages/Mappings').then((m) => ({ default: m.Mappings })));
const MappingDetail = lazy(() => import('./pages/Mappings').then((m) => ({ default: m.MappingDetail })));
const NewFlow = lazy(() => import('./pages/NewFlow').then((m) => ({ default: m.NewFlow })));
const LookupDetail = lazy(() => import('./pages/Mappings').then((m) => ({ default: m.LookupDetail })));
const FlowDetail = lazy(() => import('./pages/Flows').then((m) => ({ default: m.FlowDetail })));
import { Users, Audit } from './pages/Admin';
import { Alerts } from './pages/Alerts';
import { ErrorBox } from './components/common';

type Auth = { state: 'loading' } | { state: 'out'; error?: ApiError } | { state: 'in'; session: Session };

const NAV: Array<{ href: string; label: string; role: Role }> = [
  { href: '/', label: 'Dashboard', role: 'viewer' },
  { href: '/runs', label: 'Runs', role: 'viewer' },
  { href: '/dead-letters', label: 'Dead letters', role: 'viewer' },
  { href: '/connections', label: 'Connections', role: 'viewer' },
  { href: '/flows', label: 'Flows', role: 'viewer' },
  { href: '/mappings', label: 'Mappings', role: 'viewer' },
  { href: '/alerts', label: 'Alerts', role: 'viewer' },
  { href: '/users', label: 'Users', role: 'admin' },
  { href: '/audit', label: 'Audit log', role: 'admin' },
];

export function App({ signinToken }: { signinToken?: string }) {
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  useEffect(() => {
    setOnUnauthorized(() => setAuth({ state: 'out' }));
    (async () => {
      try {
        if (signinToken) {
          try {
            const s = await api<Session>('POST', '/session/signin', { token: signinToken });
            setCsrf(s.csrf);
            setAuth({ state: 'in', session: s });
            return;
          } catch (e) {
            // A used or expired link: an existing session may still be valid.
            const s = await api<Session>('GET', '/session').catch(() => undefined);
            if (s) {
              setCsrf(s.csrf);
              setAuth({ state: 'in', session: s });
            } else setAuth({ state: 'out', error: e as ApiError });
            return;
          }
        }
        const s = await api<Session>('GET', '/session');
        setCsrf(s.csrf);
        setAuth({ state: 'in', session: s });
      } catch (e) {
        setAuth({ state: 'out', ...((e as ApiError).status === 401 ? {} : { error: e as ApiError }) });
      }
    })();
  }, [signinToken]);

  if (auth.state === 'loading') return <p className="muted center">Signing in…</p>;
  if (auth.state === 'out') return <SignedOut error={auth.error} />;
  return <Shell session={auth.session} onSignOut={() => setAuth({ state: 'out' })} />;
}

function SignedOut({ error }: { error?: ApiError }) {
  useEffect(() => {
    document.title = 'Sign in · Syncline';
  }, []);
  return (
    <main className="signin" id="main">
      <h1>Syncline console</h1>
      <ErrorBox error={error} />
      <p>You are not signed in. Open the sign-in link that <code>syncline demo</code> (or <code>npm start</code>) prints on its line beginning with <code>console</code>, or ask an admin for a link of your own. A link works once.</p>
    </main>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { path } = useLocation();
  const role = session.user.role;
  const [menu, setMenu] = useState(false);
  useEffect(() => setMenu(false), [path]);
  const signOut = async () => {
    await api('DELETE', '/session').catch(() => undefined);
    setCsrf(null);
    onSignOut();
  };
  const active = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(href + '/'));
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <Link href="/" className="brand">Syncline</Link>
        <button type="button" className="menu-toggle" aria-expanded={menu} aria-controls="nav" onClick={() => setMenu((m) => !m)}>Menu</button>
        <nav id="nav" aria-label="Main" className={menu ? 'open' : ''}>
          <ul>
            {NAV.filter((n) => roleAllows(role, n.role)).map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={active(n.href) ? 'page' : undefined}>{n.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title="signed in as">{session.user.name}</span> <span className="badge neutral">{role}</span>
          <button type="button" className="link-button" onClick={signOut}>Sign out</button>
        </div>
      </header>
      <main id="main" className="content">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Route path={path} role={role} />
        </Suspense>
      </main>
    </>
  );
}

function Route({ path, role }: { path: string; role: Role }) {
  let m: Record<string, string> | undefined;
  if (path === '/' || path === '') return <Dashboard role={role} />;
  if (match('/runs', path)) return <Runs />;
  if ((m = match('/runs/:id', path))) return <RunDetail id={Number(m.id)} role={role} />;
  if (match('/dead-letters', path)) return <DeadLetters role={role} />;
  if ((m = match('/dead-letters/:id', path))) return <DeadLetterDetail id={Number(m.id)} role={role} />;
  if (match('/connections', path)) return <Connections role={role} />;
  if (match('/connections/new', path)) return <ConnectionDetail id={null} role={role} />;
  if ((m = match('/connections/:id', path))) return <ConnectionDetail id={m.id!} role={role} />;
  if (match('/flows', path)) return <Flows />;
  if (match('/flows/new', path)) return <NewFlow role={role} />;
  if ((m = match('/flows/:id', path))) return <FlowDetail id={m.id!} role={role} />;
  if (match('/mappings', path)) return <Mappings />;
  if ((m = match('/mappings/:pair/:name', path))) return <MappingDetail id={`${m.pair}/${m.name}`} role={role} />;
  if ((m = match('/lookups/:name', path))) return <LookupDetail name={m.name!} role={role} />;
  if (match('/alerts', path)) return <Alerts role={role} />;
  if (match('/users', path)) return <Users />;
  if (match('/audit', path)) return <Audit />;
  return (
    <>
      <h1>Not found</h1>
      <p>No page at <code>{path}</code>. <Link href="/">Back to the dashboard</Link>.</p>
    </>
  );
}
