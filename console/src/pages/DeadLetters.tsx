import { useMemo, useState } from 'react';
import { api, ApiError, fmtTime, qs, roleAllows, type DeadLetter, type DeadLetterDetail as Detail, type DlGroup, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, ErrorText, Loading, Page, Status } from '../components/common';
import { JsonEditor } from '../components/JsonEditor';
import { Link, useLocation } from '../router';

interface Duplicate { id: number; flow: string; recordKey: string; diedAt: number; deliveredBy: number; deliveredAt: number }

/** Replays ids in chunks so a big selection shows progress and one failure does not hide the rest. */
async function replayInChunks(ids: number[], progress: (done: number, replayed: number) => void): Promise<number> {
  let replayed = 0;
  for (let i = 0; i < ids.length; i += 25) {
    const chunk = ids.slice(i, i + 25);
    const r = await api<{ replayed: number }>('POST', '/dead-letters/replay', { ids: chunk });
    replayed += r.replayed;
    progress(Math.min(ids.length, i + chunk.length), replayed);
  }
  return replayed;
}

export function DeadLetters({ role }: { role: Role }) {
  const { query } = useLocation();
  const code = query.get('code') ?? '';
  const flow = query.get('flow') ?? '';
  const groups = useApi<{ groups: DlGroup[] }>(`/dead-letters/groups${qs({ flow })}`);
  const list = useApi<{ deadLetters: DeadLetter[] }>(`/dead-letters${qs({ flow, limit: 500 })}`);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [job, setJob] = useState<{ total: number; done: number; replayed: number; finished: boolean; error?: ApiError }>();
  const duplicates = useApi<{ duplicates: Duplicate[] }>(`/dead-letters/duplicates${qs({ flow })}`);
  const [resolved, setResolved] = useState<{ n: number } | ApiError>();
  const canAct = roleAllows(role, 'operator');
  const dupIds = useMemo(() => new Map((duplicates.data?.duplicates ?? []).map((d) => [d.id, d])), [duplicates.data]);
  const shown = useMemo(() => (list.data?.deadLetters ?? []).filter((d) => !code || d.error?.code === code), [list.data, code]);
  const resolveAll = async () => {
    try {
      const r = await api<{ resolved: number }>('POST', '/dead-letters/duplicates/resolve', flow ? { flow } : {});
      setResolved({ n: r.resolved });
    } catch (e) {
      setResolved(e as ApiError);
    }
    duplicates.reload();
    groups.reload();
    list.reload();
  };

  const replay = async (ids: number[]) => {
    setJob({ total: ids.length, done: 0, replayed: 0, finished: false });
    try {
      await replayInChunks(ids, (done, replayed) => setJob({ total: ids.length, done, replayed, finished: false }));
      setJob((j) => j && { ...j, finished: true });
    } catch (e) {
      setJob((j) => j && { ...j, finished: true, error: e as ApiError });
    }
    setSelected(new Set());
    groups.reload();
    list.reload();
  };
  const toggle = (id: number) => setSelected((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });

  return (
    <Page title="Dead letters">
      <section aria-labelledby="h-groups">
        <h2 id="h-groups">By error class</h2>
        <ErrorBox error={groups.error} />
        {groups.data && groups.data.groups.length === 0 ? <p>No dead letters. Everything was delivered.</p> : null}
        {groups.data && groups.data.groups.length > 0 ? (
          <table>
            <thead><tr><th scope="col">flow</th><th scope="col">kind</th><th scope="col">code</th><th scope="col">example</th><th scope="col" className="num">count</th><th scope="col">newest</th>{canAct ? <th scope="col"><span className="sr-only">actions</span></th> : null}</tr></thead>
            <tbody>
              {groups.data.groups.map((g) => (
                <tr key={g.flow + g.code} className={g.code === code ? 'selected' : undefined}>
                  <td>{g.flow}</td>
                  <td>{g.kind}</td>
                  <td><Link href={`/dead-letters${qs({ flow, code: g.code })}`}><code>{g.code}</code></Link></td>
                  <td className="example">{g.example}</td>
                  <td className="num">{g.count}</td>
                  <td>{fmtTime(g.newest)}</td>
                  {canAct ? <td><button type="button" disabled={Boolean(job && !job.finished)} onClick={() => replay(g.ids)}>Replay {g.count}</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {job ? (
        <div className="progress-box" role="status" aria-live="polite">
          <label>Replaying {job.total} dead letter{job.total === 1 ? '' : 's'}: {job.done} / {job.total} sent, {job.replayed} back in the queue
            <progress max={job.total} value={job.done} />
          </label>
          {job.finished && !job.error ? <span> Done.</span> : null}
          <ErrorBox error={job.error} />
        </div>
      ) : null}
      {duplicates.data?.duplicates.length || resolved ? (
        <section aria-labelledby="h-dups">
          <div className="section-head">
            <h2 id="h-dups">Resolved duplicates</h2>
            {canAct && duplicates.data?.duplicates.length ? <div className="actions"><button type="button" className="primary" onClick={resolveAll}>Resolve {duplicates.data.duplicates.length} duplicate{duplicates.data.duplicates.length === 1 ? '' : 's'}</button></div> : null}
          </div>
          <p className="muted small">The same flow delivered these records (by business key) after the letter died: replaying one would send a stale copy. Resolving discards them; the audit log keeps each with the run that delivered it.</p>
          {resolved && !(resolved instanceof ApiError) ? <p className="ok" role="status">Resolved {resolved.n} duplicate{resolved.n === 1 ? '' : 's'}.</p> : <ErrorBox error={resolved instanceof ApiError ? resolved : undefined} />}
          {duplicates.data?.duplicates.length ? (
            <table>
              <thead><tr><th scope="col">job</th><th scope="col">business key</th><th scope="col">flow</th><th scope="col">died</th><th scope="col">delivered by</th></tr></thead>
              <tbody>
                {duplicates.data.duplicates.map((d) => (
                  <tr key={d.id}>
                    <td><Link href={`/dead-letters/${d.id}`}>#{d.id}</Link></td>
                    <td><code>{d.recordKey}</code></td>
                    <td>{d.flow}</td>
                    <td>{fmtTime(d.diedAt)}</td>
                    <td><Link href={`/runs/${d.deliveredBy}`}>run {d.deliveredBy}</Link> at {fmtTime(d.deliveredAt)} <Status value="resolved duplicate" /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
      <section aria-labelledby="h-list">
        <div className="section-head">
          <h2 id="h-list">{code ? <>Dead letters with <code>{code}</code> · <Link href={`/dead-letters${qs({ flow })}`}>show all</Link></> : 'All dead letters'}</h2>
          {canAct && shown.length ? (
            <div className="actions">
              <button type="button" disabled={!selected.size || Boolean(job && !job.finished)} onClick={() => replay([...selected])}>Replay selected ({selected.size})</button>
              <button type="button" disabled={Boolean(job && !job.finished)} onClick={() => replay(shown.map((d) => d.id))}>Replay all shown ({shown.length})</button>
            </div>
          ) : null}
        </div>
        <ErrorBox error={list.error} />
        {list.loading && !list.data ? <Loading /> : null}
        {shown.length ? (
          <table>
            <thead><tr>{canAct ? <th scope="col"><input type="checkbox" aria-label="Select all shown" checked={selected.size === shown.length && shown.length > 0} onChange={(e) => setSelected(e.target.checked ? new Set(shown.map((d) => d.id)) : new Set())} /></th> : null}<th scope="col">job</th><th scope="col">record</th><th scope="col">flow</th><th scope="col">error</th><th scope="col" className="num">attempts</th><th scope="col">since</th></tr></thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.id}>
                  {canAct ? <td><input type="checkbox" aria-label={`Select dead letter ${d.id}`} checked={selected.has(d.id)} onChange={() => toggle(d.id)} /></td> : null}
                  <td><Link href={`/dead-letters/${d.id}`}>#{d.id}</Link></td>
                  <td><code>{d.recordKey ?? '—'}</code>{dupIds.has(d.id) ? <> <Status value="resolved duplicate" /></> : null}</td>
                  <td>{d.flow}</td>
                  <td className="err-cell"><code>{d.error?.code}</code> {d.error?.message}</td>
                  <td className="num">{d.attempts}</td>
                  <td>{fmtTime(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : list.data ? <p className="muted">None.</p> : null}
      </section>
    </Page>
  );
}

const IDENTITY = ['system', 'entity', 'id', 'version'] as const;

/** Keys a mapping looked up and did not find (an unknown SKU): the fix is an entry in that table. */
function missingLookups(error: Detail['error']): Array<{ path: string; table: string; key: string }> {
  const issues = (error?.details as { errors?: Array<{ path?: string; lookup?: { table?: unknown; key?: unknown } }> } | undefined)?.errors;
  if (!Array.isArray(issues)) return [];
  const out = new Map<string, { path: string; table: string; key: string }>();
  for (const i of issues) {
    if (typeof i?.lookup?.table === 'string' && typeof i.lookup.key === 'string') out.set(`${i.lookup.table}|${i.lookup.key}`, { path: String(i.path ?? ''), table: i.lookup.table, key: i.lookup.key });
  }
  return [...out.values()];
}

/** "Fix in the crosswalk": each missing key with a link that opens its table with the key added. */
function LookupFixes({ id, error, role }: { id: number; error: Detail['error']; role: Role }) {
  const missing = missingLookups(error);
  if (!missing.length) return null;
  const isAdmin = roleAllows(role, 'admin');
  return (
    <section aria-labelledby="h-lookup-fix">
      <h2 id="h-lookup-fix">Fix in a lookup table</h2>
      <p className="muted small">The mapping looked these keys up and did not find them. Add each to its table (a new version, used by new events and by replays), then replay this dead letter.</p>
      <ul>
        {missing.map((m) => (
          <li key={`${m.table}|${m.key}`}>
            <code>{m.key}</code> is not in lookup table <Link href={`/lookups/${encodeURIComponent(m.table)}`}>{m.table}</Link>{m.path ? <> (for <code>{m.path}</code>)</> : null}
            {isAdmin ? <> · <Link href={`/lookups/${encodeURIComponent(m.table)}${qs({ add: m.key, deadLetter: id })}`}>Add {m.key} to {m.table}</Link></> : <span className="muted"> · an admin adds it</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DeadLetterDetail({ id, role }: { id: number; role: Role }) {
  // Operators edit the real data, so they load it unmasked (?reveal=pii, allowed from operator up);
  // editing a masked copy would write the masks back into the record.
  const { data, error, reload } = useApi<Detail>(`/dead-letters/${id}${roleAllows(role, 'operator') ? '?reveal=pii' : ''}`);
  const [text, setText] = useState<string>();
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ApiError>();
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string>();
  const canAct = roleAllows(role, 'operator');
  const original = useMemo(() => (data ? JSON.stringify(data.inputs, null, 2) : ''), [data]);
  const check = (v: unknown): string[] => {
    const before = data?.inputs as Record<string, unknown> | null;
    if (!before || typeof before !== 'object') return [];
    if (!v || typeof v !== 'object' || Array.isArray(v)) return ['the payload must stay an object with system, entity, id, version and payload'];
    const after = v as Record<string, unknown>;
    return IDENTITY.filter((k) => typeof before[k] === 'string' && after[k] !== before[k]).map((k) => `"${k}" must stay ${JSON.stringify(before[k])}: fix the data under "payload", not the record's identity`);
  };

  if (error) return <Page title={`Dead letter #${id}`}><ErrorBox error={error} />{error.status === 404 ? <p><Link href="/dead-letters">All dead letters</Link></p> : null}</Page>;
  if (done) return <Page title={`Dead letter #${id}`}><p role="status">{done}</p><p><Link href="/dead-letters">Back to the dead letters</Link> · <Link href={`/runs${qs({ q: data?.recordKey ?? undefined })}`}>runs of this record</Link></p></Page>;
  if (!data) return <Page title={`Dead letter #${id}`}><Loading /></Page>;
  const edited = text !== undefined && text !== original;

  const replay = async () => {
    setBusy(true);
    setActionError(undefined);
    try {
      if (edited) await api('PUT', `/dead-letters/${id}/payload`, { payload: JSON.parse(text!) });
      else await api('POST', '/dead-letters/replay', { ids: [id] });
      setDone(`Dead letter #${id} is back in the queue${edited ? ' with the edited payload' : ''}; its next run will show in the run history.`);
    } catch (e) {
      setActionError(e as ApiError);
      reload();
    } finally {
      setBusy(false);
    }
  };
  const discard = async () => {
    setBusy(true);
    setActionError(undefined);
    try {
      await api('DELETE', `/dead-letters/${id}${qs({ reason: reason.trim() })}`);
      setDone(`Dead letter #${id} was discarded: it will not be delivered. The reason is in the audit log.`);
    } catch (e) {
      setActionError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={`Dead letter #${id}`}>
      <dl className="facts">
        <div><dt>record</dt><dd><code>{data.recordKey ?? '—'}</code>{data.recordKey ? <> · <Link href={`/runs${qs({ q: data.recordKey })}`}>runs of this record</Link></> : null}</dd></div>
        <div><dt>flow</dt><dd><Link href={`/flows/${encodeURIComponent(data.flow)}`}>{data.flow}</Link></dd></div>
        <div><dt>error</dt><dd><ErrorText error={data.error} /></dd></div>
        <div><dt>attempts</dt><dd>{data.attempts}</dd></div>
        <div><dt>dead since</dt><dd>{fmtTime(data.updatedAt)}</dd></div>
      </dl>
      {data.error?.details && Object.keys(data.error.details).length ? (
        <details open><summary>Error details</summary><pre className="json">{JSON.stringify(data.error.details, null, 2)}</pre></details>
      ) : null}
      <LookupFixes id={id} error={data.error} role={role} />
      <section aria-labelledby="h-payload">
        <h2 id="h-payload">Payload</h2>
        <p className="muted small">{canAct ? 'Personal data is shown unmasked so that you can edit it. Edit the data under "payload" and replay; the record\'s system, entity, id and version cannot change. Checked as you type.' : 'Read only, personal data masked: replaying and editing need the operator role.'}</p>
        <JsonEditor label="Dead letter payload (JSON)" value={original} readOnly={!canAct} check={check} onChange={(t, p) => { setText(t); setProblems(p); }} />
        {problems.length ? (
          <ul className="problems" aria-live="polite" aria-label="Problems in the payload">{problems.map((p, i) => <li key={i}>{p}</li>)}</ul>
        ) : <p className="ok small" aria-live="polite">{edited ? 'Valid JSON; changed.' : 'Valid JSON.'}</p>}
        <ErrorBox error={actionError} />
        {canAct ? (
          <div className="actions">
            <button type="button" className="primary" disabled={busy || problems.length > 0} onClick={replay}>{edited ? 'Save and replay' : 'Replay'}</button>
            <label className="inline">Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why it should not be delivered" /></label>
            <button type="button" className="danger" disabled={busy || !reason.trim()} onClick={discard}>Discard</button>
          </div>
        ) : null}
      </section>
      <section aria-labelledby="h-hist">
        <h2 id="h-hist">Attempts</h2>
        <ol className="attempts">
          {data.history.map((h, i) => (
            <li key={i}>attempt {h.attempt} at {fmtTime(h.at)}{h.outcome ? ` · ${h.outcome}` : ''} · <ErrorText error={h.error} /></li>
          ))}
        </ol>
        <h3>Runs</h3>
        <ul>
          {data.runs.map((r) => <li key={r.id}><Link href={`/runs/${r.id}`}>run #{r.id}</Link> attempt {r.attempt} · <Status value={r.status} /> {r.error ? <code>{r.error.code}</code> : null}</li>)}
        </ul>
      </section>
    </Page>
  );
}

