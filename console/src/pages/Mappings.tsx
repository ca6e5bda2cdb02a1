import { useEffect, useMemo, useRef, useState } from 'react';
import { isMap, isScalar, parseDocument } from 'yaml';
import { api, ApiError, roleAllows, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Json, Loading, Page } from '../components/common';
import { Diff } from '../components/Diff';
import { JsonEditor } from '../components/JsonEditor';
import { JsonataEditor, type JsonataVocabulary } from '../components/JsonataEditor';
import { TextEditor } from '../components/TextEditor';
import { Link, useLocation } from '../router';

interface Issue { path: string; message: string; source?: string }
interface Preview { output: unknown; warnings: Issue[]; errors: Issue[] }
interface Cases { ok: boolean; cases: Array<{ name: string; ok: boolean; diff: string[] }> }
interface VersionView { version: number; createdAt: number; createdBy: string; note: string | null }
interface MappingView {
  id: string; text: string; version: number | null; versions: VersionView[]; cases: boolean; source: string; target: string;
  sample: unknown; sampleFrom: string; sourceFields: Array<{ path: string; example: unknown }>;
  targetFields: Array<{ path: string; type: string; required: boolean; description?: string }>; lookups: string[]; functions: string[];
}
interface Suggestion { source: string; candidates: Array<{ target: string; confidence: number; why: string }> }

const fmtTime = (ms: number) => new Date(ms).toLocaleString();

export function Mappings() {
  const { data, error } = useApi<{ mappings: Array<{ id: string; cases: boolean; version: number | null }>; lookups: string[] }>('/mappings');
  return (
    <Page title="Mappings">
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <div className="grid2">
          <section aria-labelledby="h-templates">
            <h2 id="h-templates">Templates</h2>
            <table>
              <thead><tr><th scope="col">template</th><th scope="col">running</th><th scope="col">cases</th></tr></thead>
              <tbody>{data.mappings.map((m) => <tr key={m.id}><td><Link href={`/mappings/${m.id}`}>{m.id}</Link></td><td>{m.version ? `version ${m.version}` : 'file'}</td><td>{m.cases ? 'yes' : 'no'}</td></tr>)}</tbody>
            </table>
          </section>
          <section aria-labelledby="h-lookups">
            <h2 id="h-lookups">Lookup tables</h2>
            <ul className="plain">{data.lookups.map((n) => <li key={n}><Link href={`/lookups/${n}`}>{n}</Link></li>)}</ul>
          </section>
        </div>
      )}
    </Page>
  );
}

/** The expression a spec gives a top-level target field (`Name: expr`, `{expr}` or `{const}`), if any. */
function fieldExpr(text: string, field: string): string | undefined {
  try {
    const node = parseDocument(text).getIn(['fields', field], true);
    if (isScalar(node)) return String(node.value);
    if (isMap(node)) {
      const e = node.get('expr');
      if (e !== undefined) return String(e);
      const c = node.get('const');
      if (c !== undefined) return JSON.stringify(c);
    }
  } catch {
    /* the spec does not parse: the preview says where */
  }
  return undefined;
}

/** The spec with `field` mapped to `expr` (kept inside `{expr: …}` when the field has options), comments kept. */
function withFieldExpr(text: string, field: string, expr: string): string {
  const doc = parseDocument(text);
  const node = doc.getIn(['fields', field], true);
  if (isMap(node) && node.has('expr')) doc.setIn(['fields', field, 'expr'], expr);
  else if (isMap(node) && node.has('const')) {
    node.delete('const');
    doc.setIn(['fields', field, 'expr'], expr);
  } else doc.setIn(['fields', field], expr);
  return doc.toString({ lineWidth: 0 });
}

function specParts(text: string): { fields: string[]; variables: string[] } {
  try {
    const v = parseDocument(text).toJS() as { fields?: Record<string, unknown>; let?: Record<string, unknown> };
    return { fields: Object.keys(v?.fields ?? {}), variables: Object.keys(v?.let ?? {}) };
  } catch {
    return { fields: [], variables: [] };
  }
}

/**
 * The mapping designer: source fields (a real recent event) beside target fields (the target schema);
 * drag a source field onto a target to connect them, refine the expression with completion, see the
 * output and every validation error live, run the cases, accept or reject suggestions, and save a new
 * version (admins) that runs for new events — with the history, a diff of any two versions and rollback.
 */
export function MappingDetail({ id, role }: { id: string; role: Role }) {
  const { data, error, reload } = useApi<MappingView>(`/mappings/${id}`);
  const isAdmin = roleAllows(role, 'admin');
  const canPreview = roleAllows(role, 'operator');
  const [text, setText] = useState<string>();
  /** The spec text the YAML editor starts from: changed by drops and expressions, not by typing in it. */
  const [base, setBase] = useState<string>();
  const [input, setInput] = useState<{ text: string; ok: boolean }>();
  const [preview, setPreview] = useState<Preview>();
  const [previewError, setPreviewError] = useState<ApiError>();
  const [cases, setCases] = useState<Cases | 'running'>();
  const [casesError, setCasesError] = useState<ApiError>();
  const [selected, setSelected] = useState<string>();
  const [picked, setPicked] = useState<string>();
  const [dropTarget, setDropTarget] = useState<string>();
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<string>();
  const [actionError, setActionError] = useState<ApiError>();
  const [compare, setCompare] = useState<{ a: number; b: number; aText: string; bText: string }>();
  const [suggestions, setSuggestions] = useState<Suggestion[] | ApiError>();
  const [rejected, setRejected] = useState<Set<string>>(new Set());
  const [entities, setEntities] = useState<{ source: string; target: string }>();
  const [taught, setTaught] = useState<string | ApiError>();
  /** Teaches the suggester (POST /suggestions/accept|reject): a rejected pair is never suggested again, an accepted one is weighed as accepted before. The spec edit does not wait for it. */
  const teach = (verdict: 'accept' | 'reject', from: string, to: string) => {
    if (!entities) return;
    api('POST', `/suggestions/${verdict}`, { source: entities.source, target: entities.target, from, to }).then(
      () => setTaught(`${verdict === 'accept' ? 'Accepted' : 'Rejected'}: ${from} → ${to}${verdict === 'accept' ? ' (weighed as accepted from now on)' : ' (not suggested again)'}.`),
      (e: ApiError) => setTaught(e),
    );
  };
  const timer = useRef<number | undefined>(undefined);
  const sampleText = data ? JSON.stringify(data.sample ?? {}, null, 2) : '';
  const spec = text ?? data?.text ?? '';
  const edited = text !== undefined && data !== undefined && text !== data.text;
  const parts = useMemo(() => specParts(spec), [spec]);
  const vocab = useMemo<JsonataVocabulary>(() => ({ fields: data?.sourceFields.map((f) => f.path) ?? [], functions: data?.functions ?? [], variables: parts.variables }), [data, parts.variables.join()]);

  useEffect(() => {
    if (!data || !canPreview) return;
    const inputText = input?.text ?? sampleText;
    if (input && !input.ok) return;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(async () => {
      try {
        setPreview(await api<Preview>('POST', `/mappings/${id}/preview`, { input: JSON.parse(inputText), ...(edited ? { text } : {}) }));
        setPreviewError(undefined);
      } catch (e) {
        setPreviewError(e as ApiError);
      }
    }, 300);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, input, text]);

  useEffect(() => {
    if (!data) return;
    api<{ source: string; target: string; suggestions: Suggestion[] }>('GET', `/mappings/${id}/suggestions`).then((r) => { setSuggestions(r.suggestions); setEntities({ source: r.source, target: r.target }); }, (e: ApiError) => setSuggestions(e));
  }, [data, id]);

  if (error) return <Page title={`Mapping ${id}`}><ErrorBox error={error} /></Page>;
  if (!data) return <Page title={`Mapping ${id}`}><Loading /></Page>;

  const topLevel = data.targetFields.filter((f) => !/[.[]/.test(f.path));
  const nested = data.targetFields.length - topLevel.length;
  const connect = (target: string, expr: string) => {
    if (!isAdmin) return;
    try {
      const next = withFieldExpr(spec, target, expr);
      setText(next);
      setBase(next);
      setSelected(target);
      setActionError(undefined);
    } catch (e) {
      setActionError(new ApiError(400, 'SPEC_UNPARSABLE', `the spec does not parse, fix it first: ${(e as Error).message}`));
    }
  };
  const act = async (f: () => Promise<string>) => {
    setActionError(undefined);
    setMessage(undefined);
    try {
      setMessage(await f());
      setText(undefined);
      setBase(undefined);
      reload();
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const runCases = async () => {
    setCases('running');
    setCasesError(undefined);
    try {
      setCases(await api<Cases>('POST', `/mappings/${id}/cases`, edited ? { text } : {}));
    } catch (e) {
      setCases(undefined);
      setCasesError(e as ApiError);
    }
  };
  const showDiff = async (a: number, b: number) => {
    const [x, y] = await Promise.all([a, b].map((v) => api<{ text: string }>('GET', `/mappings/${id}/versions/${v}`)));
    setCompare({ a, b, aText: x!.text, bText: y!.text });
  };
  const running = data.version;
  const openSuggestions = Array.isArray(suggestions)
    ? suggestions.flatMap((s) => s.candidates.slice(0, 1).map((c) => ({ source: s.source, ...c }))).filter((s) => topLevel.some((t) => t.path === s.target) && !rejected.has(`${s.source}→${s.target}`) && fieldExpr(spec, s.target) === undefined).sort((a, b) => b.confidence - a.confidence).slice(0, 12)
    : [];

  return (
    <Page title={`Mapping ${id}`}>
      <dl className="facts">
        <div><dt>running</dt><dd>{running ? `version ${running}` : 'the shipped file (no version saved yet)'}</dd></div>
        <div><dt>source → target</dt><dd>{data.source} → {data.target}</dd></div>
        <div><dt>sample</dt><dd>{data.sampleFrom}</dd></div>
        <div><dt>lookup tables</dt><dd>{data.lookups.length ? data.lookups.map((l, i) => <span key={l}>{i ? ', ' : ''}<Link href={`/lookups/${l}`}>{l}</Link></span>) : 'none'}</dd></div>
      </dl>
      <p className="muted small">{isAdmin ? 'Drag a source field onto a target field to connect them (or choose a source field, then "Connect" on a target), refine the expression, watch the preview, then save a new version: it runs for new events only.' : 'Read only: changing mappings needs the admin role.'}</p>
      {message ? <p className="ok" role="status">{message}</p> : null}
      <ErrorBox error={actionError} />

      <section aria-labelledby="h-canvas">
        <h2 id="h-canvas">Fields{edited ? ' (edited, not saved)' : ''}</h2>
        <div className="mapper">
          <div className="mapper-col" role="list" aria-label="Source fields">
            <h3>Source: {data.source}</h3>
            {data.sourceFields.map((f) => (
              <div key={f.path} role="listitem" className={`field-chip${picked === f.path ? ' picked' : ''}`} draggable={isAdmin} data-source={f.path}
                onDragStart={(e) => { e.dataTransfer.setData('text/plain', f.path); e.dataTransfer.effectAllowed = 'copy'; }}>
                <button type="button" className="link" aria-pressed={picked === f.path} onClick={() => setPicked(picked === f.path ? undefined : f.path)}>{f.path}</button>
                <span className="muted small example">{JSON.stringify(f.example)?.slice(0, 40)}</span>
              </div>
            ))}
          </div>
          <div className="mapper-col" role="list" aria-label="Target fields">
            <h3>Target: {data.target}</h3>
            {topLevel.map((f) => {
              const expr = fieldExpr(spec, f.path);
              return (
                <div key={f.path} role="listitem" data-target={f.path}
                  className={`field-chip target${expr !== undefined ? ' mapped' : f.required ? ' missing' : ''}${selected === f.path ? ' picked' : ''}${dropTarget === f.path ? ' drop' : ''}`}
                  onDragOver={(e) => { if (isAdmin) { e.preventDefault(); setDropTarget(f.path); } }}
                  onDragLeave={() => setDropTarget(undefined)}
                  onDrop={(e) => { e.preventDefault(); setDropTarget(undefined); connect(f.path, e.dataTransfer.getData('text/plain')); }}>
                  <button type="button" className="link" aria-pressed={selected === f.path} onClick={() => setSelected(f.path)} title={f.description}>{f.path}{f.required ? ' *' : ''}</button>
                  <code className="small expr" aria-label={`expression of ${f.path}`}>{expr ?? '—'}</code>
                  {isAdmin && picked ? <button type="button" className="small" onClick={() => { connect(f.path, picked); setPicked(undefined); }}>Connect {picked}</button> : null}
                </div>
              );
            })}
            {nested ? <p className="muted small">{nested} nested fields (lines, arrays) are edited in the spec below.</p> : null}
          </div>
        </div>
      </section>

      {selected ? (
        <section aria-labelledby="h-expr">
          <h2 id="h-expr">Expression of {selected}</h2>
          <p className="muted small">JSONata over the source record: type <code>$</code> for functions and variables, a letter for source fields (Ctrl-Space lists them).</p>
          <JsonataEditor key={selected} label={`Expression of ${selected}`} value={fieldExpr(spec, selected) ?? ''} vocab={vocab} readOnly={!isAdmin} onChange={(e) => connect(selected, e)} />
        </section>
      ) : null}

      <div className="grid2">
        <section aria-labelledby="h-preview" aria-live="polite">
          <h2 id="h-preview">Preview</h2>
          <ErrorBox error={previewError} />
          {!canPreview ? <p className="muted">Previews and case runs need the operator role.</p> : preview ? (
            <>
              {preview.errors.length ? <ul className="problems" aria-label="Validation errors">{preview.errors.map((e, i) => <li key={i}><code>{e.path}</code>: {e.message}</li>)}</ul> : <p className="ok">Valid: ready to deliver.</p>}
              {preview.warnings.length ? <ul className="warnings" aria-label="Warnings">{preview.warnings.map((e, i) => <li key={i}><code>{e.path}</code>: {e.message}</li>)}</ul> : null}
              <Json value={preview.output} />
            </>
          ) : <Loading />}
        </section>
        <section aria-labelledby="h-sample">
          <h2 id="h-sample">Sample record</h2>
          <JsonEditor label="Sample source record (JSON)" value={sampleText} onChange={(t, problems) => setInput({ text: t, ok: problems.length === 0 })} />
        </section>
      </div>

      {openSuggestions.length ? (
        <section aria-labelledby="h-suggest">
          <h2 id="h-suggest">Suggested mappings</h2>
          <table>
            <thead><tr><th scope="col">source field</th><th scope="col">target field</th><th scope="col">confidence</th><th scope="col">why</th>{isAdmin ? <th scope="col"><span className="sr-only">actions</span></th> : null}</tr></thead>
            <tbody>
              {openSuggestions.map((s) => (
                <tr key={`${s.source}→${s.target}`}>
                  <td><code>{s.source}</code></td><td><code>{s.target}</code></td>
                  <td><meter min={0} max={1} value={s.confidence} aria-label={`confidence ${Math.round(s.confidence * 100)}%`} /> {Math.round(s.confidence * 100)}%</td>
                  <td className="small">{s.why}</td>
                  {isAdmin ? <td className="row-actions"><button type="button" onClick={() => { connect(s.target, s.source.replace(/\[\]/g, '')); teach('accept', s.source, s.target); }}>Accept</button><button type="button" onClick={() => { setRejected(new Set([...rejected, `${s.source}→${s.target}`])); teach('reject', s.source, s.target); }}>Reject</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
          {typeof taught === 'string' ? <p className="ok small" role="status">{taught}</p> : <ErrorBox error={taught} />}
        </section>
      ) : suggestions instanceof ApiError ? <p className="muted small">No suggestions: {suggestions.message}</p> : null}

      <section aria-labelledby="h-spec">
        <h2 id="h-spec">Spec (YAML)</h2>
        <TextEditor label="Mapping spec (YAML)" value={base ?? data.text} readOnly={!isAdmin} onChange={setText} />
        {isAdmin ? (
          <div className="actions">
            <label>Note<input value={note} onChange={(e) => setNote(e.target.value)} placeholder="why (optional)" maxLength={200} /></label>
            <button type="button" className="primary" disabled={!edited} onClick={() => act(async () => { const r = await api<{ version: number; flows: string[] }>('POST', `/mappings/${id}/versions`, { text, ...(note ? { note } : {}) }); setNote(''); return `Saved as version ${r.version}; new events run it${r.flows.length ? ` (${r.flows.join(', ')})` : ''}.`; })}>Save as a new version</button>
            {edited ? <button type="button" onClick={() => { setText(undefined); setBase(undefined); }}>Discard changes</button> : null}
          </div>
        ) : null}
      </section>

      {data.cases && canPreview ? (
        <section aria-labelledby="h-cases">
          <h2 id="h-cases">Cases</h2>
          <button type="button" onClick={runCases} disabled={cases === 'running'}>Run the cases{edited ? ' against the edited spec' : ''}</button>
          <ErrorBox error={casesError} />
          {cases && cases !== 'running' ? (
            <>
              <p className={cases.ok ? 'ok' : 'bad-text'} role="status">{cases.cases.filter((c) => c.ok).length} of {cases.cases.length} cases pass</p>
              <table>
                <thead><tr><th scope="col">case</th><th scope="col">result</th></tr></thead>
                <tbody>{cases.cases.map((c) => <tr key={c.name}><td>{c.name}</td><td>{c.ok ? <span className="ok">pass</span> : <pre className="json">{c.diff.join('\n')}</pre>}</td></tr>)}</tbody>
              </table>
            </>
          ) : cases === 'running' ? <Loading /> : null}
        </section>
      ) : null}

      <Versions versions={data.versions} running={running} isAdmin={isAdmin} onCompare={showDiff}
        onRollback={(v) => act(async () => { const r = await api<{ version: number }>('POST', `/mappings/${id}/rollback`, { version: v }); return `Rolled back: version ${v}'s text is version ${r.version} and runs for new events.`; })} />
      {compare ? (
        <>
          <h3>Version {compare.a} (left) against version {compare.b} (right)</h3>
          <Diff a={compare.aText} b={compare.bText} label={`Differences between version ${compare.a} and ${compare.b}`} />
        </>
      ) : null}
    </Page>
  );
}

function Versions({ versions, running, isAdmin, onCompare, onRollback }: { versions: VersionView[]; running: number | null; isAdmin: boolean; onCompare: (a: number, b: number) => void; onRollback: (v: number) => void }) {
  return (
    <section aria-labelledby="h-versions">
      <h2 id="h-versions">Versions</h2>
      {!versions.length ? <p className="muted">None saved yet: the shipped file runs. The first save keeps the file as version 1.</p> : (
        <table>
          <thead><tr><th scope="col">version</th><th scope="col">saved</th><th scope="col">by</th><th scope="col">note</th><th scope="col"><span className="sr-only">actions</span></th></tr></thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version} className={v.version === running ? 'selected' : undefined}>
                <td>{v.version}{v.version === running ? ' (running)' : ''}</td>
                <td>{fmtTime(v.createdAt)}</td>
                <td>{v.createdBy}</td>
                <td>{v.note ?? ''}</td>
                <td className="row-actions">
                  {running && v.version !== running ? <button type="button" onClick={() => onCompare(v.version, running)}>Compare with running</button> : null}
                  {isAdmin && running && v.version !== running ? <button type="button" onClick={() => onRollback(v.version)}>Roll back to {v.version}</button> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Entry = { key: string; value: string };

/** A lookup table as a grid of entries (key → value), saved as a new version; other settings in the text. */
export function LookupDetail({ name, role }: { name: string; role: Role }) {
  const { data, error, reload } = useApi<{ name: string; text: string; version: number | null; versions: VersionView[] }>(`/lookups/${name}`);
  const isAdmin = roleAllows(role, 'admin');
  const [rows, setRows] = useState<Entry[]>();
  const [filter, setFilter] = useState('');
  const [message, setMessage] = useState<string>();
  const [actionError, setActionError] = useState<ApiError>();
  const [compare, setCompare] = useState<{ a: number; b: number; aText: string; bText: string }>();
  const original = useMemo<Entry[]>(() => {
    if (!data) return [];
    try {
      const v = parseDocument(data.text).toJS() as { entries?: Record<string, unknown> };
      return Object.entries(v?.entries ?? {}).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) }));
    } catch {
      return [];
    }
  }, [data]);
  // Opened from a dead letter (?add=KEY&deadLetter=ID): the missing key is added as a new row to fill in.
  const { query } = useLocation();
  const addKey = query.get('add') ?? '';
  const fromDeadLetter = Number(query.get('deadLetter')) || undefined;
  const [added, setAdded] = useState(false);
  useEffect(() => {
    if (!data || added || !addKey || !isAdmin) return;
    setAdded(true);
    if (!original.some((r) => r.key === addKey)) {
      setRows([...original, { key: addKey, value: '' }]);
      setFilter(addKey);
    }
  }, [data, added, addKey, isAdmin, original]);
  const grid = rows ?? original;
  const edited = rows !== undefined && JSON.stringify(rows) !== JSON.stringify(original);
  const dupes = new Set(grid.map((r) => r.key).filter((k, i, a) => k && a.indexOf(k) !== i));
  const blank = grid.some((r) => !r.key.trim());

  if (error) return <Page title={`Lookup ${name}`}><ErrorBox error={error} /></Page>;
  if (!data) return <Page title={`Lookup ${name}`}><Loading /></Page>;
  const set = (i: number, patch: Partial<Entry>) => setRows(grid.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const act = async (f: () => Promise<string>) => {
    setActionError(undefined);
    setMessage(undefined);
    try {
      setMessage(await f());
      setRows(undefined);
      reload();
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const save = () => act(async () => {
    const doc = parseDocument(data.text);
    const entries: Record<string, unknown> = {};
    for (const r of grid) {
      let v: unknown = r.value;
      if (/^[[{]/.test(r.value.trim())) {
        try { v = JSON.parse(r.value); } catch { /* a plain string */ }
      }
      entries[r.key.trim()] = v;
    }
    doc.set('entries', entries);
    const res = await api<{ version: number; flows: string[] }>('POST', `/lookups/${name}/versions`, { text: doc.toString({ lineWidth: 0 }) });
    return `Saved as version ${res.version}; new events use it${res.flows.length ? ` (${res.flows.join(', ')})` : ''}.`;
  });
  const shown = grid.map((r, i) => ({ r, i })).filter(({ r }) => !filter || `${r.key} ${r.value}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Page title={`Lookup ${name}`}>
      <dl className="facts"><div><dt>running</dt><dd>{data.version ? `version ${data.version}` : 'the shipped file (no version saved yet)'}</dd></div><div><dt>entries</dt><dd>{grid.length}</dd></div></dl>
      {message ? <p className="ok" role="status">{message}{fromDeadLetter ? <> <Link href={`/dead-letters/${fromDeadLetter}`}>Back to dead letter #{fromDeadLetter} to replay it</Link></> : null}</p> : null}
      {addKey && isAdmin && !message ? <p role="status">Adding <code>{addKey}</code>{fromDeadLetter ? <> for <Link href={`/dead-letters/${fromDeadLetter}`}>dead letter #{fromDeadLetter}</Link></> : null}: fill in its value, then save.</p> : null}
      <ErrorBox error={actionError} />
      <div className="filters"><label>Filter<input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} /></label></div>
      <table className="grid-edit" aria-label={`Entries of ${name}`}>
        <thead><tr><th scope="col">key</th><th scope="col">value</th>{isAdmin ? <th scope="col"><span className="sr-only">actions</span></th> : null}</tr></thead>
        <tbody>
          {shown.slice(0, 200).map(({ r, i }) => (
            <tr key={i} className={dupes.has(r.key) ? 'bad' : undefined}>
              <td><input aria-label={`key ${i + 1}`} value={r.key} readOnly={!isAdmin} onChange={(e) => set(i, { key: e.target.value })} /></td>
              <td><input aria-label={`value ${i + 1}`} value={r.value} readOnly={!isAdmin} onChange={(e) => set(i, { value: e.target.value })} /></td>
              {isAdmin ? <td><button type="button" onClick={() => setRows(grid.filter((_, j) => j !== i))}>Remove</button></td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length > 200 ? <p className="muted small">First 200 of {shown.length} shown: filter to find the rest.</p> : null}
      {dupes.size ? <p className="bad-text" role="alert">Duplicate keys: {[...dupes].join(', ')}</p> : null}
      {isAdmin ? (
        <div className="actions">
          <button type="button" onClick={() => { setRows([...grid, { key: '', value: '' }]); setFilter(''); }}>Add an entry</button>
          <button type="button" className="primary" disabled={!edited || dupes.size > 0 || blank} onClick={save}>Save as a new version</button>
          {edited ? <button type="button" onClick={() => setRows(undefined)}>Discard changes</button> : null}
        </div>
      ) : null}
      <Versions versions={data.versions} running={data.version} isAdmin={isAdmin}
        onCompare={async (a, b) => { const [x, y] = await Promise.all([a, b].map((v) => api<{ text: string }>('GET', `/lookups/${name}/versions/${v}`))); setCompare({ a, b, aText: x!.text, bText: y!.text }); }}
        onRollback={(v) => act(async () => { const r = await api<{ version: number }>('POST', `/lookups/${name}/rollback`, { version: v }); return `Rolled back: version ${v}'s entries are version ${r.version} and apply to new events.`; })} />
      {compare ? <Diff a={compare.aText} b={compare.bText} label={`Differences between version ${compare.a} and ${compare.b}`} /> : null}
      <details><summary>Table as text</summary><pre className="json">{data.text}</pre></details>
    </Page>
  );
}
