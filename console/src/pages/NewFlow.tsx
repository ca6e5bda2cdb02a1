// Assemble a new flow from the existing step kinds, no code: a trigger and steps chosen from palettes,
// each filled in with a form generated from flows/flow.schema.json (GET /flow-palette), checked by the
// server as you go (schema and references) and saved as version 1 of the new flow definition.
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, roleAllows, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Json, Loading, Page } from '../components/common';
import { Link } from '../router';
import { FlowGraph, type FlowDoc } from './Flows';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[]; const?: unknown; $ref?: string; description?: string; oneOf?: Schema[]; items?: Schema; pattern?: string; minimum?: number; additionalProperties?: unknown };
interface Palette { schema: Schema & { definitions: Record<string, Schema> }; stepKinds: string[]; operations: Record<string, string[]>; pollers: Record<string, string[]>; mappings: string[] }
type Obj = Record<string, unknown>;

const SYSTEMS = ['xcart', 'sage300', 'amazon', 'sagex3'];

/** Follows a `#/definitions/x` reference (and merges its description). */
function resolve(s: Schema, defs: Record<string, Schema>): Schema {
  if (!s.$ref) return s;
  const target = defs[s.$ref.replace('#/definitions/', '')] ?? {};
  return { ...resolve(target, defs), ...(s.description ? { description: s.description } : {}) };
}

/** A step kind's fields: its definition, where `{}` means "as in common" (id, title, if, note). */
function stepFields(kind: string, defs: Record<string, Schema>): Array<[string, Schema, boolean]> {
  const def = defs[kind] ?? {};
  const common = defs.common?.properties ?? {};
  return Object.entries(def.properties ?? {})
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => [k, Object.keys(v).length === 0 ? (common[k] ?? { type: 'string' }) : v, k === 'id' || (def.required ?? []).includes(k)]);
}

interface Hints { operations: string[]; mappings: string[]; pollers: string[]; roles: string[] }

/** One field of a generated form: text, number, select, nested object or JSON, by its schema. */
function Field({ name, schema, defs, value, onChange, required, path, hints }: { name: string; schema: Schema; defs: Record<string, Schema>; value: unknown; onChange: (v: unknown) => void; required: boolean; path: string; hints: Hints }) {
  const s = resolve(schema, defs);
  const label = `${name}${required ? ' *' : ''}`;
  const id = `f-${path}`;
  const list = name === 'operation' ? 'dl-operations' : name === 'mapping' ? 'dl-mappings' : name === 'poller' ? 'dl-pollers' : name === 'role' ? 'dl-roles' : undefined;
  if (s.const !== undefined) return null;
  if (s.enum) {
    return (
      <label htmlFor={id}>{label}
        <select id={id} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
          <option value="">—</option>
          {s.enum.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
        </select>
      </label>
    );
  }
  if (s.type === 'object' && s.properties) {
    // An optional part (update, once, source …) stays a button until it is wanted.
    if (!required && value === undefined) return <div><button type="button" className="small" title={s.description} onClick={() => onChange({})}>Add {name}</button></div>;
    const v = (value ?? {}) as Obj;
    return (
      <fieldset className="subform">
        <legend>{label}{!required ? <button type="button" className="small" onClick={() => onChange(undefined)}>Remove {name}</button> : null}</legend>
        {Object.entries(s.properties).map(([k, sub]) => (
          <Field key={k} name={k} schema={sub} defs={defs} value={v[k]} required={(s.required ?? []).includes(k)} path={`${path}.${k}`} hints={hints}
            onChange={(x) => { const next = { ...v }; if (x === undefined || x === '') delete next[k]; else next[k] = x; onChange(Object.keys(next).length || !required ? next : undefined); }} />
        ))}
      </fieldset>
    );
  }
  if (s.type === 'integer' || s.type === 'number') {
    return <label htmlFor={id}>{label}<input id={id} type="number" min={s.minimum} value={value === undefined ? '' : String(value)} title={s.description} onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} /></label>;
  }
  if (s.type === 'string' || s.type === undefined && !s.oneOf && !s.items) {
    return (
      <label htmlFor={id}>{label}
        <input id={id} className={s.description?.startsWith('JSONata') ? 'code' : undefined} list={list} value={value === undefined ? '' : String(value)} title={s.description} placeholder={s.description?.slice(0, 60)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />
      </label>
    );
  }
  // Arrays and free objects (options, nested steps): JSON, parsed as you type.
  return <JsonField id={id} label={label} value={value} onChange={onChange} />;
}

function JsonField({ id, label, value, onChange }: { id: string; label: string; value: unknown; onChange: (v: unknown) => void }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  const [bad, setBad] = useState(false);
  return (
    <label htmlFor={id}>{label} (JSON)
      <input id={id} className="code" aria-invalid={bad} value={text} onChange={(e) => {
        setText(e.target.value);
        if (!e.target.value.trim()) { setBad(false); onChange(undefined); return; }
        try { onChange(JSON.parse(e.target.value)); setBad(false); } catch { setBad(true); }
      }} />
    </label>
  );
}

export function NewFlow({ role }: { role: Role }) {
  const { data, error } = useApi<Palette>('/flow-palette');
  const isAdmin = roleAllows(role, 'admin');
  const [head, setHead] = useState<Obj>({ id: '', title: '' });
  const [roles, setRoles] = useState<Array<{ role: string; system: string }>>([{ role: 'shop', system: 'xcart' }, { role: 'erp', system: 'sage300' }]);
  const [trigger, setTrigger] = useState<Obj>({ kind: 'poller' });
  const [steps, setSteps] = useState<Obj[]>([]);
  const [problems, setProblems] = useState<string[]>();
  const [checking, setChecking] = useState(false);
  const [message, setMessage] = useState<string>();
  const [actionError, setActionError] = useState<ApiError>();
  const timer = useRef<number | undefined>(undefined);

  const doc: Obj = { id: head.id, version: 1, ...(head.title ? { title: head.title } : {}), ...(head.description ? { description: head.description } : {}), roles: Object.fromEntries(roles.filter((r) => r.role).map((r) => [r.role, r.system])), trigger, steps };
  const docKey = JSON.stringify(doc);
  useEffect(() => {
    if (!data || !head.id) return;
    window.clearTimeout(timer.current);
    setChecking(true);
    timer.current = window.setTimeout(async () => {
      try {
        const r = await api<{ valid: boolean; problems: string[] }>('POST', `/flows/${encodeURIComponent(String(head.id))}/validate`, { document: doc });
        setProblems(r.problems);
      } catch (e) {
        setProblems([(e as Error).message]);
      } finally {
        setChecking(false);
      }
    }, 300);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [docKey, data]);

  if (error) return <Page title="New flow"><ErrorBox error={error} /></Page>;
  if (!data) return <Page title="New flow"><Loading /></Page>;
  const defs = data.schema.definitions;
  const triggerVariants = (defs.trigger?.oneOf ?? []).map((v) => ({ kinds: (v.properties?.kind?.const !== undefined ? [v.properties.kind.const] : (v.properties?.kind?.enum ?? [])) as string[], schema: v }));
  const variant = triggerVariants.find((v) => v.kinds.includes(String(trigger.kind))) ?? triggerVariants[0]!;
  const roleSystems = Object.fromEntries(roles.map((r) => [r.role, r.system]));
  const hints: Hints = {
    roles: roles.map((r) => r.role).filter(Boolean),
    operations: roles.flatMap((r) => (data.operations[r.system] ?? []).map((op) => `${r.role}.${op}`)),
    mappings: data.mappings,
    pollers: data.pollers[roleSystems[String(trigger.role)] ?? ''] ?? Object.values(data.pollers).flat(),
  };
  const setStep = (i: number, v: Obj) => setSteps(steps.map((s, j) => (j === i ? v : s)));
  const move = (i: number, d: number) => {
    const next = [...steps];
    const [s] = next.splice(i, 1);
    next.splice(i + d, 0, s!);
    setSteps(next);
  };
  const addStep = (kind: string) => {
    let n = steps.length + 1;
    while (steps.some((s) => s.id === `${kind}${n}`)) n++;
    setSteps([...steps, { id: `${kind}${n}`, kind }]);
  };
  const save = async () => {
    setActionError(undefined);
    setMessage(undefined);
    try {
      const r = await api<{ id: string; version: number }>('POST', '/flows', { document: doc });
      setMessage(`Saved as version ${r.version} of flow ${r.id}. It runs once the configuration deploys it with its connections (flows: [{use: ${r.id}, connections: {…}}]).`);
    } catch (e) {
      setActionError(e as ApiError);
    }
  };
  const valid = problems !== undefined && problems.length === 0 && !checking;

  return (
    <Page title="New flow">
      <p className="muted small">Assemble a flow from the registered trigger and step kinds: every form below is generated from the flow schema, and the server checks the document as you go (schema, roles, operations, pollers, mappings). {isAdmin ? 'Saving stores it as version 1 of a new flow definition.' : 'Saving needs the admin role.'} <Link href="/flows">All flows</Link></p>
      <datalist id="dl-operations">{hints.operations.map((o) => <option key={o} value={o} />)}</datalist>
      <datalist id="dl-mappings">{hints.mappings.map((o) => <option key={o} value={o} />)}</datalist>
      <datalist id="dl-pollers">{hints.pollers.map((o) => <option key={o} value={o} />)}</datalist>
      <datalist id="dl-roles">{hints.roles.map((o) => <option key={o} value={o} />)}</datalist>

      <section aria-labelledby="h-flow" className="form-card">
        <h2 id="h-flow">Flow</h2>
        <div className="filters">
          <label>Id *<input value={String(head.id ?? '')} onChange={(e) => setHead({ ...head, id: e.target.value.trim() })} placeholder="lower-case-words" /></label>
          <label>Title<input value={String(head.title ?? '')} onChange={(e) => setHead({ ...head, title: e.target.value })} /></label>
          <label>Description<input value={String(head.description ?? '')} onChange={(e) => setHead({ ...head, description: e.target.value || undefined })} /></label>
        </div>
        <fieldset className="subform"><legend>Roles (each bound to a connection of its system when deployed)</legend>
          {roles.map((r, i) => (
            <div key={i} className="filters">
              <label>Role<input value={r.role} onChange={(e) => setRoles(roles.map((x, j) => (j === i ? { ...x, role: e.target.value.trim() } : x)))} /></label>
              <label>System<select value={r.system} onChange={(e) => setRoles(roles.map((x, j) => (j === i ? { ...x, system: e.target.value } : x)))}>{SYSTEMS.map((s) => <option key={s}>{s}</option>)}</select></label>
              <button type="button" onClick={() => setRoles(roles.filter((_, j) => j !== i))}>Remove role</button>
            </div>
          ))}
          <button type="button" onClick={() => setRoles([...roles, { role: '', system: 'xcart' }])}>Add a role</button>
        </fieldset>
      </section>

      <section aria-labelledby="h-trigger" className="form-card">
        <h2 id="h-trigger">Trigger</h2>
        <div role="group" aria-label="Trigger kinds" className="palette">
          {triggerVariants.flatMap((v) => v.kinds).map((k) => <button key={k} type="button" aria-pressed={trigger.kind === k} onClick={() => setTrigger({ kind: k })}>{k}</button>)}
        </div>
        <div className="form-grid">
          {Object.entries(variant.schema.properties ?? {}).filter(([k]) => k !== 'kind').map(([k, sub]) => (
            <Field key={`${trigger.kind}-${k}`} name={k} schema={sub} defs={defs} value={trigger[k]} required={(variant.schema.required ?? []).includes(k)} path={`trigger.${k}`} hints={hints}
              onChange={(v) => { const next = { ...trigger }; if (v === undefined) delete next[k]; else next[k] = v; setTrigger(next); }} />
          ))}
        </div>
      </section>

      <section aria-labelledby="h-steps" className="form-card">
        <h2 id="h-steps">Steps</h2>
        <div role="group" aria-label="Step kinds" className="palette">
          {data.stepKinds.map((k) => <button key={k} type="button" onClick={() => addStep(k)} title={defs[k]?.description}>+ {k}</button>)}
        </div>
        {steps.length === 0 ? <p className="muted">No steps yet: add them from the palette above, in the order they run.</p> : null}
        <ol className="steps-form">
          {steps.map((s, i) => (
            <li key={i} aria-label={`Step ${i + 1}: ${String(s.kind)}`}>
              <div className="step-head">
                <strong>{i + 1}. {String(s.kind)}</strong>
                <span className="row-actions">
                  <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move step ${i + 1} up`}>↑</button>
                  <button type="button" disabled={i === steps.length - 1} onClick={() => move(i, 1)} aria-label={`Move step ${i + 1} down`}>↓</button>
                  <button type="button" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>Remove step {i + 1}</button>
                </span>
              </div>
              <div className="form-grid">
                {stepFields(String(s.kind), defs).map(([k, sub, req]) => (
                  <Field key={k} name={k} schema={sub} defs={defs} value={s[k]} required={req} path={`steps.${i}.${k}`} hints={hints}
                    onChange={(v) => { const next = { ...s }; if (v === undefined) delete next[k]; else next[k] = v; setStep(i, next); }} />
                ))}
              </div>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="h-check" aria-live="polite">
        <h2 id="h-check">Check</h2>
        {!head.id ? <p className="muted">Give the flow an id to check it.</p> : checking ? <p className="muted">Checking…</p> : problems?.length ? <ul className="problems" aria-label="Problems in the flow">{problems.map((p, i) => <li key={i}>{p}</li>)}</ul> : problems ? <p className="ok">Valid: schema and references.</p> : null}
        {steps.length && (trigger.role || trigger.kind === 'schedule') ? <FlowGraph doc={doc as unknown as FlowDoc} /> : null}
        {message ? <p className="ok" role="status">{message}</p> : null}
        <ErrorBox error={actionError} />
        {isAdmin ? <div className="actions"><button type="button" className="primary" disabled={!valid} onClick={save}>Save as a new flow version</button></div> : null}
        <details><summary>Document</summary><Json value={doc} /></details>
      </section>
    </Page>
  );
}
