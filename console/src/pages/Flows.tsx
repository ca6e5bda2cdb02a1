import { useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlow, Background, Controls, Position, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { api, ApiError, fmtTime, qs, roleAllows, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Json, Loading, Page, Status } from '../components/common';
import { JsonEditor } from '../components/JsonEditor';
import { Diff } from '../components/Diff';
import { Link } from '../router';

interface FlowSummary { id: string; description: string; source: { system: string; entity: string }; target: { system: string; entity: string }; connection: string | null; maxAttempts: number | null; steps: string[] }
interface StepDoc { id: string; kind: string; title?: string; steps?: StepDoc[]; [k: string]: unknown }
export interface FlowDoc { id: string; version: number; title?: string; description?: string; roles: Record<string, string>; trigger: Record<string, unknown> & { kind: string }; retry?: { maxAttempts?: number }; steps: StepDoc[]; [k: string]: unknown }
interface FlowView { id: string; version: number; enabled: boolean; pinnedVersion: number | null; document: FlowDoc | null; versions: Array<{ version: number; createdAt: number; createdBy: string }> }

export function Flows() {
  const { data, error } = useApi<{ flows: FlowSummary[] }>('/flows');
  return (
    <Page title="Flows" actions={<Link href="/flows/new">New flow</Link>}>
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">flow</th><th scope="col">from</th><th scope="col">to</th><th scope="col">steps</th></tr></thead>
          <tbody>
            {data.flows.map((f) => (
              <tr key={f.id}>
                <td><Link href={`/flows/${encodeURIComponent(f.id)}`}>{f.id}</Link><div className="muted small">{f.description}</div></td>
                <td>{f.source.system} {f.source.entity}</td>
                <td>{f.target.system} {f.target.entity}</td>
                <td>{f.steps.join(' → ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

const triggerLabel = (t: FlowDoc['trigger']) => {
  const bits = [`${t.kind}`];
  if (t.role) bits.push(`${t.role as string}${t.entity ? ` ${t.entity as string}` : ''}`);
  if (t.intervalMs) bits.push(`every ${t.intervalMs as number} ms`);
  if (t.cron) bits.push(`cron ${t.cron as string}`);
  if (t.everyMs) bits.push(`every ${t.everyMs as number} ms`);
  return bits.join(' · ');
};
const stepDetail = (s: StepDoc): string => (s.mapping as string | undefined) ?? (s.operation as string | undefined) ?? (s.find as { operation?: string } | undefined)?.operation ?? (s.of ? `of ${s.of as string}` : '');

/** trigger → steps (an `each` step's nested steps hang below it) → done. */
function graphOf(doc: FlowDoc): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const W = 200;
  const node = (id: string, x: number, y: number, label: string, sub: string, cls: string): void => {
    nodes.push({ id, position: { x, y }, data: { label: <div><strong>{label}</strong>{sub ? <div className="node-sub">{sub}</div> : null}</div> }, className: cls, sourcePosition: Position.Right, targetPosition: Position.Left, draggable: false });
  };
  node('trigger', 0, 0, 'trigger', triggerLabel(doc.trigger), 'node-trigger');
  let prev = 'trigger';
  doc.steps.forEach((s, i) => {
    const id = `s:${s.id}`;
    node(id, (i + 1) * W, 0, `${s.id} · ${s.kind}`, s.title ?? stepDetail(s), `node-step kind-${s.kind}`);
    edges.push({ id: `${prev}>${id}`, source: prev, target: id, animated: true });
    (s.steps ?? []).forEach((n, j) => {
      const nid = `${id}/${n.id}`;
      nodes.push({ id: nid, position: { x: (i + 1) * W + 10, y: 110 + j * 80 }, data: { label: <div><strong>{n.id} · {n.kind}</strong><div className="node-sub">{n.title ?? stepDetail(n)}</div></div> }, className: `node-step nested kind-${n.kind}`, sourcePosition: Position.Bottom, targetPosition: Position.Top, draggable: false });
      edges.push({ id: `${j ? `${id}/${s.steps![j - 1]!.id}` : id}>${nid}`, source: j ? `${id}/${s.steps![j - 1]!.id}` : id, target: nid, style: { strokeDasharray: '4 3' } });
    });
    prev = id;
  });
  return { nodes, edges };
}

export function FlowGraph({ doc }: { doc: FlowDoc }) {
  const { nodes, edges } = useMemo(() => graphOf(doc), [doc]);
  return (
    <div className="flow-graph" role="img" aria-label={`Graph of ${doc.id}: trigger (${triggerLabel(doc.trigger)}), then ${doc.steps.map((s) => `${s.id} (${s.kind})`).join(', then ')}`}>
      <ReactFlow nodes={nodes} edges={edges} fitView fitViewOptions={{ padding: 0.15 }} nodesConnectable={false} elementsSelectable={false} proOptions={{ hideAttribution: true }}>
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

/** The flow designer: the graph drawn from the document, state, editing as a new version, versions with diff and rollback. */
export function FlowDetail({ id, role }: { id: string; role: Role }) {
  const { data, error, reload } = useApi<FlowView>(`/flows/${encodeURIComponent(id)}`);
  const isAdmin = roleAllows(role, 'admin');
  const [text, setText] = useState<string>();
  const [editing, setEditing] = useState<FlowDoc>();
  const [problems, setProblems] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const [actionError, setActionError] = useState<ApiError>();
  const [message, setMessage] = useState<string>();
  const [compare, setCompare] = useState<{ version: number; text: string }>();
  const timer = useRef<number | undefined>(undefined);
  const original = useMemo(() => (data?.document ? JSON.stringify(data.document, null, 2) : ''), [data]);

  useEffect(() => {
    setText(undefined);
    setEditing(undefined);
    setProblems([]);
  }, [original]);

  // Validated as you type: syntax here at once, then the server's own check (schema, references, compile).
  const onEdit = (t: string, syntax: string[]) => {
    setText(t);
    window.clearTimeout(timer.current);
    if (syntax.length) {
      setProblems(syntax);
      return;
    }
    let doc: FlowDoc;
    try {
      doc = JSON.parse(t) as FlowDoc;
    } catch {
      return;
    }
    if (doc && Array.isArray(doc.steps) && doc.trigger) setEditing(doc);
    setChecking(true);
    timer.current = window.setTimeout(async () => {
      try {
        const r = await api<{ valid: boolean; problems: string[] }>('POST', `/flows/${encodeURIComponent(id)}/validate`, { document: doc });
        setProblems(r.problems);
      } catch (e) {
        setProblems([(e as Error).message]);
      } finally {
        setChecking(false);
      }
    }, 300);
  };
  const act = async (f: () => Promise<string>) => {
    setActionError(undefined);
    setMessage(undefined);
    try {
      setMessage(await f());
      reload();
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const patchDoc = (f: (d: FlowDoc) => void) => {
    const d = JSON.parse(text ?? original) as FlowDoc;
    f(d);
    const t = JSON.stringify(d, null, 2);
    onEdit(t, []);
  };

  if (error) return <Page title={`Flow ${id}`}><ErrorBox error={error} />{error.status === 404 ? <p><Link href="/flows">All flows</Link></p> : null}</Page>;
  if (!data || !data.document) return <Page title={`Flow ${id}`}><Loading /></Page>;
  const doc = editing ?? data.document;
  const edited = text !== undefined && text !== original;
  const current = JSON.parse(text ?? original) as FlowDoc;

  return (
    <Page title={`Flow ${id}`} actions={<Status value={data.enabled ? 'enabled' : 'disabled'} />}>
      <p>{data.document.title}{data.document.description ? <span className="muted"> — {data.document.description}</span> : null}</p>
      <dl className="facts">
        <div><dt>version</dt><dd>running version {data.version}{data.pinnedVersion ? <> (pinned: rolled back; newest is {data.versions[0]?.version})</> : null}</dd></div>
        <div><dt>trigger</dt><dd>{triggerLabel(data.document.trigger)}</dd></div>
        <div><dt>roles</dt><dd>{Object.entries(data.document.roles).map(([r, s]) => `${r}: ${s}`).join(', ')}</dd></div>
        <div><dt>retry</dt><dd>{data.document.retry?.maxAttempts ? `up to ${data.document.retry.maxAttempts} attempts` : 'engine default'}</dd></div>
        <div><dt>history</dt><dd><Link href={`/runs${qs({ flow: id })}`}>runs</Link> · <Link href={`/dead-letters${qs({ flow: id })}`}>dead letters</Link></dd></div>
      </dl>
      {isAdmin ? (
        <div className="actions">
          <button type="button" onClick={() => act(async () => { await api('PUT', `/flows/${encodeURIComponent(id)}/state`, { enabled: !data.enabled }); return data.enabled ? 'Disabled: the flow takes no new events; what changes meanwhile is kept and runs when it is enabled again; jobs queued before still run.' : 'Enabled: new events run again, and those kept while it was disabled.'; })}>{data.enabled ? 'Disable' : 'Enable'}</button>
          {data.pinnedVersion ? <button type="button" onClick={() => act(async () => { await api('PUT', `/flows/${encodeURIComponent(id)}/state`, { pinnedVersion: null }); return 'Unpinned: the newest version runs for new events.'; })}>Run the newest version</button> : null}
        </div>
      ) : null}
      {message ? <p className="ok" role="status">{message}</p> : null}
      <ErrorBox error={actionError} />
      <h2>Graph{edited ? ' (as edited, not saved)' : ''}</h2>
      <FlowGraph doc={doc} />
      <section aria-labelledby="h-doc">
        <h2 id="h-doc">Document</h2>
        {isAdmin ? (
          <div className="filters" role="group" aria-label="Quick settings">
            {'intervalMs' in current.trigger ? (
              <label>Polling interval (ms)<input type="number" min={100} value={Number(current.trigger.intervalMs ?? '')} onChange={(e) => patchDoc((d) => { d.trigger.intervalMs = Number(e.target.value); })} /></label>
            ) : null}
            {'cron' in current.trigger ? <label>Schedule (cron)<input value={String(current.trigger.cron ?? '')} onChange={(e) => patchDoc((d) => { d.trigger.cron = e.target.value; })} /></label> : null}
            <label>Max attempts<input type="number" min={1} value={current.retry?.maxAttempts ?? ''} placeholder="default" onChange={(e) => patchDoc((d) => { d.retry = e.target.value ? { ...(d.retry ?? {}), maxAttempts: Number(e.target.value) } : undefined; if (!d.retry) delete d.retry; })} /></label>
          </div>
        ) : null}
        <p className="muted small">{isAdmin ? 'Edit the flow document (flows/flow.schema.json); it is checked as you type, and saved as a new version that applies to new events only.' : 'Read only: changing flows needs the admin role.'}</p>
        <JsonEditor label="Flow document (JSON)" value={text ?? original} readOnly={!isAdmin} onChange={onEdit} />
        <div aria-live="polite">
          {problems.length ? <ul className="problems" aria-label="Problems in the document">{problems.map((p, i) => <li key={i}>{p}</li>)}</ul> : edited ? <p className="ok small">{checking ? 'Checking…' : 'Valid: schema, references and compilation.'}</p> : null}
        </div>
        {isAdmin ? (
          <div className="actions">
            <button type="button" className="primary" disabled={!edited || checking || problems.length > 0} onClick={() => act(async () => { const r = await api<{ version: number }>('POST', `/flows/${encodeURIComponent(id)}/versions`, { document: JSON.parse(text!) }); return `Saved as version ${r.version}; it runs for new events.`; })}>Save as a new version</button>
            {edited ? <button type="button" onClick={() => { setText(undefined); setEditing(undefined); setProblems([]); }}>Discard changes</button> : null}
          </div>
        ) : null}
      </section>
      <section aria-labelledby="h-versions">
        <h2 id="h-versions">Versions</h2>
        <table>
          <thead><tr><th scope="col">version</th><th scope="col">saved</th><th scope="col">by</th><th scope="col"><span className="sr-only">actions</span></th></tr></thead>
          <tbody>
            {data.versions.map((v) => (
              <tr key={v.version} className={v.version === data.version ? 'selected' : undefined}>
                <td>{v.version}{v.version === data.version ? ' (running)' : ''}</td>
                <td>{fmtTime(v.createdAt)}</td>
                <td>{v.createdBy}</td>
                <td className="row-actions">
                  {v.version !== data.version ? <button type="button" onClick={async () => { const r = await api<{ document: FlowDoc }>('GET', `/flows/${encodeURIComponent(id)}/versions/${v.version}`); setCompare({ version: v.version, text: JSON.stringify(r.document, null, 2) }); }}>Compare with running</button> : null}
                  {isAdmin && v.version !== data.version ? <button type="button" onClick={() => act(async () => { await api('PUT', `/flows/${encodeURIComponent(id)}/state`, { pinnedVersion: v.version }); return `Rolled back: version ${v.version} runs for new events.`; })}>Roll back to {v.version}</button> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {compare ? (
          <>
            <h3>Version {compare.version} (left) against running version {data.version} (right)</h3>
            <Diff a={compare.text} b={original} label={`Differences between version ${compare.version} and ${data.version}`} />
          </>
        ) : null}
      </section>
      <details>
        <summary>Document as stored</summary>
        <Json value={data.document} />
      </details>
    </Page>
  );
}
