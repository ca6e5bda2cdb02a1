import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, fmtTime, roleAllows, type Connection, type Dashboard, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Loading, Page, Status } from '../components/common';
import { JsonEditor } from '../components/JsonEditor';
import { Link, navigate } from '../router';

const SYSTEMS = ['xcart', 'sage300', 'amazon', 'sagex3'];

export function Connections({ role }: { role: Role }) {
  const { data, error } = useApi<{ connections: Connection[] }>('/connections');
  const dash = useApi<Dashboard>('/dashboard');
  const health = new Map((dash.data?.connections ?? []).map((c) => [c.id, c]));
  return (
    <Page title="Connections" actions={roleAllows(role, 'admin') ? <Link className="button" href="/connections/new">Add a connection</Link> : null}>
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">id</th><th scope="col">system</th><th scope="col">health</th><th scope="col">circuit</th><th scope="col">last error</th><th scope="col">updated</th></tr></thead>
          <tbody>
            {data.connections.map((c) => {
              const h = health.get(c.id);
              return (
                <tr key={c.id}>
                  <td><Link href={`/connections/${encodeURIComponent(c.id)}`}>{c.id}</Link></td>
                  <td>{c.system}</td>
                  <td>{h ? <Status value={h.status} /> : '—'}</td>
                  <td>{h?.circuit ?? '—'}</td>
                  <td className="err-cell">{h?.lastError ? <><code>{h.lastError.code}</code> {h.lastError.message}</> : <span className="muted">none</span>}</td>
                  <td>{fmtTime(c.updatedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Page>
  );
}

interface TestResult { connection: string; ok: boolean; ms: number; state?: string; error?: { code?: string; message?: string } }

/** One connection: health, test, and (admins) edit. Secrets are write-only: names shown, values never. */
export function ConnectionDetail({ id, role }: { id: string | null; role: Role }) {
  const isNew = id === null;
  const { data, error, reload } = useApi<Connection>(isNew ? null : `/connections/${encodeURIComponent(id)}`);
  const dash = useApi<Dashboard>(isNew ? null : '/dashboard');
  const canEdit = roleAllows(role, 'admin');
  const [newId, setNewId] = useState('');
  const [system, setSystem] = useState('xcart');
  const [configText, setConfigText] = useState('{\n  "baseUrl": ""\n}');
  const [configProblems, setConfigProblems] = useState<string[]>([]);
  const [secrets, setSecrets] = useState<Array<{ name: string; value: string }>>([]);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<TestResult | 'running'>();
  const [testError, setTestError] = useState<ApiError>();

  useEffect(() => {
    if (!data) return;
    setSystem(data.system);
    setConfigText(JSON.stringify(data.config, null, 2));
    setSecrets(Object.keys(data.secrets).map((name) => ({ name, value: '' })));
  }, [data]);

  if (!isNew && error) return <Page title={`Connection ${id}`}><ErrorBox error={error} /></Page>;
  if (!isNew && !data) return <Page title={`Connection ${id}`}><Loading /></Page>;
  const h = dash.data?.connections.find((c) => c.id === id);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setSaveError(undefined);
    setSaved(false);
    try {
      const target = isNew ? newId.trim() : id;
      // Only secrets given a value are sent; the others keep their stored value (write-only).
      const given = Object.fromEntries(secrets.filter((s) => s.name.trim() && s.value).map((s) => [s.name.trim(), s.value]));
      const body: Record<string, unknown> = { system, config: JSON.parse(configText) };
      if (Object.keys(given).length) body.secrets = isNew ? given : { ...given };
      await api('PUT', `/connections/${encodeURIComponent(target)}`, body);
      setSecrets((s) => s.map((x) => ({ ...x, value: '' })));
      setSaved(true);
      if (isNew) navigate(`/connections/${encodeURIComponent(target)}`);
      else reload();
    } catch (err) {
      setSaveError(err as ApiError);
    } finally {
      setSaving(false);
    }
  };
  const runTest = async () => {
    setTest('running');
    setTestError(undefined);
    try {
      setTest(await api<TestResult>('POST', `/connections/${encodeURIComponent(id!)}/test`));
    } catch (err) {
      setTest(undefined);
      setTestError(err as ApiError);
    }
  };

  return (
    <Page title={isNew ? 'Add a connection' : `Connection ${id}`}>
      {!isNew ? (
        <dl className="facts">
          <div><dt>system</dt><dd>{data!.system}</dd></div>
          <div><dt>health</dt><dd>{h ? <><Status value={h.status} /> <span className="muted">circuit {h.circuit}, {h.failuresLast5m} failures in 5 min</span></> : '—'}</dd></div>
          <div><dt>last error</dt><dd>{h?.lastError ? <><code>{h.lastError.code}</code> {h.lastError.message} <span className="muted">({fmtTime(h.lastError.at)})</span></> : <span className="muted">none</span>}</dd></div>
          <div><dt>secrets</dt><dd>{Object.keys(data!.secrets).length ? Object.keys(data!.secrets).map((k) => <span key={k} className="secret-name">{k} <span aria-label="hidden value">••••</span></span>) : <span className="muted">none</span>}</dd></div>
          <div><dt>updated</dt><dd>{fmtTime(data!.updatedAt)}</dd></div>
        </dl>
      ) : null}
      {!isNew && roleAllows(role, 'operator') ? (
        <div className="actions">
          <button type="button" onClick={runTest} disabled={test === 'running'}>Test the connection</button>
          <span role="status" aria-live="polite">
            {test === 'running' ? 'Testing…' : test ? (test.ok ? <span className="ok">✓ works ({test.ms} ms){test.state ? `, ${test.state}` : ''}</span> : <span className="bad-text">✗ failed ({test.ms} ms): <code>{test.error?.code}</code> {test.error?.message}</span>) : null}
          </span>
          <ErrorBox error={testError} />
        </div>
      ) : null}
      {canEdit ? (
        <form className="edit-form" onSubmit={submit} aria-label={isNew ? 'New connection' : 'Edit connection'}>
          <h2>{isNew ? 'Settings' : 'Edit'}</h2>
          {isNew ? <label>Id <input required pattern="[a-z0-9][a-z0-9_\-]{0,63}" value={newId} onChange={(e) => setNewId(e.target.value)} placeholder="e.g. xcart-eu" /></label> : null}
          <label>System
            <select value={system} onChange={(e) => setSystem(e.target.value)}>{SYSTEMS.map((s) => <option key={s}>{s}</option>)}</select>
          </label>
          <div className="field">
            <span className="label" id="cfg-label">Settings (JSON, no secrets)</span>
            <JsonEditor label="Connection settings (JSON)" value={configText} check={(v) => (v && typeof v === 'object' && !Array.isArray(v) ? [] : ['the settings must be a JSON object'])} onChange={(t, p) => { setConfigText(t); setConfigProblems(p); }} />
            {configProblems.length ? <ul className="problems">{configProblems.map((p, i) => <li key={i}>{p}</li>)}</ul> : null}
          </div>
          <fieldset>
            <legend>Secrets (write-only: stored sealed, never shown again; leave blank to keep)</legend>
            {secrets.map((s, i) => (
              <div className="secret-row" key={i}>
                <label>Name <input value={s.name} onChange={(e) => setSecrets(secrets.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} /></label>
                <label>Value <input type="password" autoComplete="new-password" value={s.value} placeholder={data?.secrets[s.name] ? '•••• (stored)' : ''} onChange={(e) => setSecrets(secrets.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} /></label>
              </div>
            ))}
            <button type="button" onClick={() => setSecrets([...secrets, { name: '', value: '' }])}>Add a secret</button>
          </fieldset>
          <ErrorBox error={saveError} />
          {saved ? <p className="ok" role="status">Saved.</p> : null}
          <button type="submit" className="primary" disabled={saving || configProblems.length > 0}>{isNew ? 'Create' : 'Save'}</button>
        </form>
      ) : <p className="muted">Only admins change connections.</p>}
    </Page>
  );
}
