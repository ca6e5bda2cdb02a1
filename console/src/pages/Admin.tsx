import { useState, type FormEvent } from 'react';
import { api, ApiError, fmtTime, type AuditEntry, type Role, type User } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Json, Loading, Page } from '../components/common';

const linkFor = (token: string) => `${location.origin}/#signin=${token}`;

export function Users() {
  const { data, error, reload } = useApi<{ users: User[] }>('/users');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [link, setLink] = useState<{ user: string; url: string }>();
  const [actionError, setActionError] = useState<ApiError>();
  const act = async (f: () => Promise<void>) => {
    setActionError(undefined);
    try {
      await f();
      reload();
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const r = await api<{ user: User; signinToken: string }>('POST', '/users', { name: name.trim(), role });
      setLink({ user: r.user.name, url: linkFor(r.signinToken) });
      setName('');
    });
  };
  return (
    <Page title="Users">
      <form className="filters" onSubmit={create} aria-label="Add a user">
        <label>Name <input required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="viewer">viewer — reads, personal data masked</option>
            <option value="operator">operator — also replays, edits, discards</option>
            <option value="admin">admin — also connections, flows, users</option>
          </select>
        </label>
        <button type="submit">Add user</button>
      </form>
      {link ? (
        <div className="notice" role="status">
          <p>Sign-in link for <strong>{link.user}</strong> (works once, for 24 hours; shown only now):</p>
          <input className="link-field" readOnly value={link.url} aria-label="Sign-in link" onFocus={(e) => e.target.select()} />
        </div>
      ) : null}
      <ErrorBox error={error ?? actionError} />
      {!data ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">name</th><th scope="col">role</th><th scope="col">created</th><th scope="col">state</th><th scope="col"><span className="sr-only">actions</span></th></tr></thead>
          <tbody>
            {data.users.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>
                  <select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => void act(async () => void (await api('PATCH', `/users/${u.id}`, { role: e.target.value })))}>
                    <option>viewer</option><option>operator</option><option>admin</option>
                  </select>
                </td>
                <td>{fmtTime(u.createdAt)}</td>
                <td>{u.disabled ? 'disabled' : 'active'}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => void act(async () => { const r = await api<{ signinToken: string }>('POST', `/users/${u.id}/signin-link`); setLink({ user: u.name, url: linkFor(r.signinToken) }); })}>New sign-in link</button>
                  <button type="button" onClick={() => void act(async () => void (await api('PATCH', `/users/${u.id}`, { disabled: !u.disabled })))}>{u.disabled ? 'Enable' : 'Disable'}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function Audit() {
  const { data, error } = useApi<{ entries: AuditEntry[] }>('/audit?limit=200');
  return (
    <Page title="Audit log">
      <ErrorBox error={error} />
      {!data ? <Loading /> : data.entries.length === 0 ? <p>No changes yet.</p> : (
        <table className="audit">
          <thead><tr><th scope="col">when</th><th scope="col">who</th><th scope="col">what</th><th scope="col" className="num">status</th><th scope="col">change</th></tr></thead>
          <tbody>
            {data.entries.map((e) => (
              <tr key={e.id}>
                <td>{fmtTime(e.at)}</td>
                <td>{e.actor}</td>
                <td><code>{e.action}</code><div className="muted small">{JSON.stringify((e.target as { params?: unknown }).params ?? {})} {JSON.stringify((e.target as { query?: unknown }).query ?? {}) !== '{}' ? JSON.stringify((e.target as { query?: unknown }).query) : ''}</div></td>
                <td className="num">{e.status}</td>
                <td>
                  <details><summary>before / after</summary><div className="grid2"><div><h4>before</h4><Json value={e.before} /></div><div><h4>after</h4><Json value={e.after} /></div></div></details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
