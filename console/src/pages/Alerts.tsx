import { useState, type FormEvent } from 'react';
import { api, ApiError, fmtTime, roleAllows, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Loading, Page, Status } from '../components/common';

interface Rule { id: number; name: string; kind: Kind; threshold: number; windowMinutes: number; subject: string | null; channel: 'webhook' | 'email'; target: string; enabled: boolean; firing: boolean; createdAt: number; updatedAt: number }
interface AlertEvent { id: number; ruleId: number; at: number; state: 'firing' | 'resolved' | 'test'; message: string; delivered: boolean; error: string | null }

type Kind = 'dead-letters' | 'connection-down' | 'duplicate-reference' | 'order-flagged' | 'reconciliation-difference';
/** What each kind of rule watches, as the form's choice, the subject's label and the condition shown in the table. */
const KINDS: Record<Kind, { choice: string; subject: string; condition: (r: { threshold: number; windowMinutes: number }) => string }> = {
  'dead-letters': { choice: 'dead letters over a threshold', subject: 'Flow (blank: any)', condition: (r) => `more than ${r.threshold} dead letters in ${r.windowMinutes} min` },
  'connection-down': { choice: 'a connection is down', subject: 'Connection (blank: any)', condition: (r) => `connection down for ${r.windowMinutes} min` },
  'reconciliation-difference': { choice: 'a reconciliation finds differences', subject: 'Pair (blank: any)', condition: (r) => `a reconciliation finds more than ${r.threshold} differences` },
  'duplicate-reference': { choice: 'a reconciliation finds a record twice', subject: 'Pair (blank: any)', condition: () => 'a reconciliation finds a target record carrying a source reference twice' },
  'order-flagged': { choice: 'an order is flagged (anomaly or risk)', subject: 'Flow (blank: any)', condition: () => 'an order held for review (anomaly or risk)' },
};
const empty = { name: '', kind: 'dead-letters' as Rule['kind'], threshold: 0, windowMinutes: 60, subject: '', channel: 'email' as Rule['channel'], target: '', enabled: true };

/** Alert rules (dead letters per window, a connection down for M minutes) and every notification sent. */
export function Alerts({ role }: { role: Role }) {
  const rules = useApi<{ rules: Rule[] }>('/alerts/rules');
  const history = useApi<{ events: AlertEvent[] }>('/alerts/history?limit=100');
  const isAdmin = roleAllows(role, 'admin');
  const [form, setForm] = useState(empty);
  const [editing, setEditing] = useState<number | null>(null);
  const [actionError, setActionError] = useState<ApiError>();
  const [message, setMessage] = useState<string>();
  const act = async (f: () => Promise<string>) => {
    setActionError(undefined);
    setMessage(undefined);
    try {
      setMessage(await f());
      rules.reload();
      history.reload();
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { ...form, name: form.name.trim(), subject: form.subject.trim() || null, target: form.target.trim() };
    void act(async () => {
      if (editing) await api('PUT', `/alerts/rules/${editing}`, body);
      else await api('POST', '/alerts/rules', body);
      setForm(empty);
      setEditing(null);
      return editing ? 'Rule saved.' : 'Rule created: it is checked every few seconds.';
    });
  };
  const names = new Map((rules.data?.rules ?? []).map((r) => [r.id, r.name]));
  return (
    <Page title="Alerts">
      <ErrorBox error={rules.error ?? actionError} />
      {message ? <p className="ok" role="status">{message}</p> : null}
      <section aria-labelledby="h-rules">
        <h2 id="h-rules">Rules</h2>
        {!rules.data ? <Loading /> : rules.data.rules.length === 0 ? <p className="muted">No rules yet.</p> : (
          <table>
            <thead><tr><th scope="col">rule</th><th scope="col">condition</th><th scope="col">notify</th><th scope="col">state</th>{isAdmin ? <th scope="col"><span className="sr-only">actions</span></th> : null}</tr></thead>
            <tbody>
              {rules.data.rules.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td>{(KINDS[r.kind]?.condition(r) ?? r.kind)}{r.subject ? ` · ${r.subject}` : ''}</td>
                  <td>{r.channel}: <code>{r.target}</code></td>
                  <td>{!r.enabled ? <Status value="disabled" /> : r.firing ? <span className="badge bad">firing</span> : <span className="badge good">ok</span>}</td>
                  {isAdmin ? (
                    <td className="row-actions">
                      <button type="button" onClick={() => { setEditing(r.id); setForm({ name: r.name, kind: r.kind, threshold: r.threshold, windowMinutes: r.windowMinutes, subject: r.subject ?? '', channel: r.channel, target: r.target, enabled: r.enabled }); }}>Edit</button>
                      <button type="button" onClick={() => act(async () => { const ev = await api<AlertEvent>('POST', `/alerts/rules/${r.id}/test`); return ev.delivered ? `Test notification sent to ${r.target}.` : `Test notification failed: ${ev.error}`; })}>Send a test</button>
                      <button type="button" className="danger" onClick={() => act(async () => { await api('DELETE', `/alerts/rules/${r.id}`); return 'Rule deleted.'; })}>Delete</button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {isAdmin ? (
        <form className="filters" onSubmit={submit} aria-label={editing ? 'Edit alert rule' : 'New alert rule'}>
          <label>Name<input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
          <label>When
            <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Rule['kind'] })}>
              {(Object.keys(KINDS) as Kind[]).map((k) => <option key={k} value={k}>{KINDS[k].choice}</option>)}
            </select>
          </label>
          {form.kind === 'dead-letters' || form.kind === 'reconciliation-difference' ? <label>More than<input type="number" min={0} value={form.threshold} onChange={(e) => setForm({ ...form, threshold: Number(e.target.value) })} /></label> : null}
          {form.kind === 'dead-letters' || form.kind === 'connection-down' ? <label>{form.kind === 'dead-letters' ? 'Within (minutes)' : 'For (minutes)'}<input type="number" min={1} value={form.windowMinutes} onChange={(e) => setForm({ ...form, windowMinutes: Number(e.target.value) })} /></label> : null}
          <label>{KINDS[form.kind].subject}<input value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} /></label>
          <label>Notify by
            <select value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value as Rule['channel'] })}>
              <option value="email">e-mail</option>
              <option value="webhook">webhook</option>
            </select>
          </label>
          <label>{form.channel === 'email' ? 'E-mail address' : 'Webhook URL'}<input required type={form.channel === 'email' ? 'email' : 'url'} value={form.target} onChange={(e) => setForm({ ...form, target: e.target.value })} /></label>
          <label className="inline"><input type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} /> enabled</label>
          <button type="submit" className="primary">{editing ? 'Save rule' : 'Add rule'}</button>
          {editing ? <button type="button" onClick={() => { setEditing(null); setForm(empty); }}>Cancel</button> : null}
        </form>
      ) : null}
      <section aria-labelledby="h-history">
        <h2 id="h-history">History</h2>
        {!history.data ? <Loading /> : history.data.events.length === 0 ? <p className="muted">Nothing sent yet.</p> : (
          <table>
            <thead><tr><th scope="col">when</th><th scope="col">rule</th><th scope="col">state</th><th scope="col">message</th><th scope="col">delivered</th></tr></thead>
            <tbody>
              {history.data.events.map((e) => (
                <tr key={e.id}>
                  <td>{fmtTime(e.at)}</td>
                  <td>{names.get(e.ruleId) ?? `rule ${e.ruleId}`}</td>
                  <td>{e.state === 'firing' ? <span className="badge bad">firing</span> : e.state === 'resolved' ? <span className="badge good">resolved</span> : <span className="badge neutral">test</span>}</td>
                  <td>{e.message}</td>
                  <td>{e.delivered ? 'yes' : <span className="bad-text">no: {e.error}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}
