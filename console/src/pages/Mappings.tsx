import { useEffect, useRef, useState } from 'react';
import { api, ApiError, roleAllows, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Json, Loading, Page } from '../components/common';
import { JsonEditor } from '../components/JsonEditor';
import { TextEditor } from '../components/TextEditor';
import { Link } from '../router';

interface Issue { path: string; message: string; source?: string }
interface Preview { output: unknown; warnings: Issue[]; errors: Issue[] }
interface Cases { ok: boolean; cases: Array<{ name: string; ok: boolean; diff: string[] }> }

export function Mappings() {
  const { data, error } = useApi<{ mappings: Array<{ id: string; cases: boolean }> }>('/mappings');
  return (
    <Page title="Mappings">
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">template</th><th scope="col">cases</th></tr></thead>
          <tbody>{data.mappings.map((m) => <tr key={m.id}><td><Link href={`/mappings/${m.id}`}>{m.id}</Link></td><td>{m.cases ? 'yes' : 'no'}</td></tr>)}</tbody>
        </table>
      )}
    </Page>
  );
}

/** A template beside a sample record: the output, warnings and errors, live as either changes; its cases run from the page. */
export function MappingDetail({ id, role }: { id: string; role: Role }) {
  const { data, error } = useApi<{ id: string; text: string; cases: boolean; sample: unknown }>(`/mappings/${id}`);
  const isAdmin = roleAllows(role, 'admin');
  const [text, setText] = useState<string>();
  const [input, setInput] = useState<{ text: string; ok: boolean }>();
  const [preview, setPreview] = useState<Preview>();
  const [previewError, setPreviewError] = useState<ApiError>();
  const [cases, setCases] = useState<Cases | 'running'>();
  const [casesError, setCasesError] = useState<ApiError>();
  const timer = useRef<number | undefined>(undefined);
  const sampleText = data ? JSON.stringify(data.sample ?? {}, null, 2) : '';
  const edited = text !== undefined && data !== undefined && text !== data.text;

  const canPreview = roleAllows(role, 'operator');
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
    }, 350);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, input, text]);

  if (error) return <Page title={`Mapping ${id}`}><ErrorBox error={error} /></Page>;
  if (!data) return <Page title={`Mapping ${id}`}><Loading /></Page>;
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
  return (
    <Page title={`Mapping ${id}`}>
      <p className="muted small">{isAdmin ? 'Edit the spec or the sample: the preview follows as you type. Edits are tried here only; saving a new version from the console is not built yet (edit the file and use `syncline mapping test`).' : 'Edit the sample to see how the template maps it. Trying an edited spec needs the admin role.'}</p>
      <div className="grid2">
        <section aria-labelledby="h-spec">
          <h2 id="h-spec">Spec{edited ? ' (edited, not saved)' : ''}</h2>
          <TextEditor label="Mapping spec (YAML)" value={data.text} readOnly={!isAdmin} onChange={setText} />
        </section>
        <section aria-labelledby="h-sample">
          <h2 id="h-sample">Sample record</h2>
          <JsonEditor label="Sample source record (JSON)" value={sampleText} onChange={(t, problems) => setInput({ text: t, ok: problems.length === 0 })} />
        </section>
      </div>
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
    </Page>
  );
}
