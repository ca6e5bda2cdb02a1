import { useState, type FormEvent } from 'react';
import { qs, fmtTime, type Role, type Run } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, ErrorText, Json, Loading, Page, Status } from '../components/common';
import { Link, navigate, useLocation } from '../router';

const toLocalInput = (ms: number | undefined) => (ms ? new Date(ms - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');

/** Runs: searched by business key, flow, status and time; every search has its own URL. */
export function Runs() {
  const { query } = useLocation();
  const params = { q: query.get('q') ?? '', flow: query.get('flow') ?? '', status: query.get('status') ?? '', since: query.get('since') ?? '', until: query.get('until') ?? '', offset: query.get('offset') ?? '' };
  const { data, error, loading } = useApi<{ runs: Run[] }>(`/runs${qs({ ...params, limit: 50 })}`);
  const flows = useApi<{ flows: Array<{ id: string }> }>('/flows');
  const [form, setForm] = useState(params);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/runs${qs({ q: form.q.trim(), flow: form.flow, status: form.status, since: form.since, until: form.until })}`);
  };
  const offset = Number(params.offset || 0);
  return (
    <Page title="Runs">
      <form className="filters" onSubmit={submit} role="search" aria-label="Search runs">
        <label>Business key<input name="q" value={form.q} placeholder="order number, Amazon order id, SKU…" onChange={(e) => setForm({ ...form, q: e.target.value })} /></label>
        <label>Flow
          <select name="flow" value={form.flow} onChange={(e) => setForm({ ...form, flow: e.target.value })}>
            <option value="">any</option>
            {flows.data?.flows.map((f) => <option key={f.id} value={f.id}>{f.id}</option>)}
          </select>
        </label>
        <label>Status
          <select name="status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">any</option>
            {['succeeded', 'skipped', 'retrying', 'dead'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>From<input type="datetime-local" name="since" value={toLocalInput(Number(form.since) || undefined)} onChange={(e) => setForm({ ...form, since: e.target.value ? String(new Date(e.target.value).getTime()) : '' })} /></label>
        <label>To<input type="datetime-local" name="until" value={toLocalInput(Number(form.until) || undefined)} onChange={(e) => setForm({ ...form, until: e.target.value ? String(new Date(e.target.value).getTime()) : '' })} /></label>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {loading && !data ? <Loading /> : null}
      {data ? (
        data.runs.length === 0 ? <p>No runs match.</p> : (
          <>
            <table className="runs">
              <caption className="sr-only">Runs, newest first</caption>
              <thead><tr><th scope="col">run</th><th scope="col">record</th><th scope="col">flow</th><th scope="col">status</th><th scope="col" className="num">attempt</th><th scope="col">finished</th><th scope="col">error</th></tr></thead>
              <tbody>
                {data.runs.map((r) => (
                  <tr key={r.id}>
                    <td><Link href={`/runs/${r.id}`}>#{r.id}</Link></td>
                    <td><code>{r.recordKey}</code></td>
                    <td>{r.flow}</td>
                    <td><Status value={r.status} /></td>
                    <td className="num">{r.attempt}</td>
                    <td>{fmtTime(r.finishedAt)}</td>
                    <td className="err-cell">{r.error ? <code>{r.error.code}</code> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <nav className="pager" aria-label="Pages">
              {offset > 0 ? <Link href={`/runs${qs({ ...params, offset: Math.max(0, offset - 50) || undefined })}`}>← newer</Link> : null}
              {data.runs.length === 50 ? <Link href={`/runs${qs({ ...params, offset: offset + 50 })}`}>older →</Link> : null}
            </nav>
          </>
        )
      ) : null}
    </Page>
  );
}

/** One run, step by step: input, output, error and duration of each, the versions used, the retries of its job. */
export function RunDetail({ id }: { id: number; role: Role }) {
  const { data: run, error } = useApi<Run>(`/runs/${id}`);
  const attempts = useApi<{ runs: Run[] }>(run ? `/runs${qs({ q: run.recordKey, flow: run.flow, limit: 50 })}` : null);
  if (error) return <Page title={`Run #${id}`}><ErrorBox error={error} /></Page>;
  if (!run) return <Page title={`Run #${id}`}><Loading /></Page>;
  const others = (attempts.data?.runs ?? []).filter((r) => r.jobId === run.jobId).sort((a, b) => a.id - b.id);
  return (
    <Page title={`Run #${id}`}>
      <dl className="facts">
        <div><dt>record</dt><dd><code>{run.recordKey}</code> · <Link href={`/runs${qs({ q: run.recordKey })}`}>all runs of this record</Link></dd></div>
        <div><dt>flow</dt><dd><Link href={`/flows/${encodeURIComponent(run.flow)}`}>{run.flow}</Link>{run.flowVersion ? ` version ${run.flowVersion}` : ''}</dd></div>
        <div><dt>status</dt><dd><Status value={run.status} />{run.note ? <span className="muted"> {run.note}</span> : null}</dd></div>
        <div><dt>attempt</dt><dd>{run.attempt}</dd></div>
        <div><dt>started</dt><dd>{fmtTime(run.startedAt)}</dd></div>
        <div><dt>took</dt><dd>{run.finishedAt - run.startedAt} ms</dd></div>
        <div><dt>error</dt><dd><ErrorText error={run.error} /></dd></div>
        {run.status === 'dead' ? <div><dt>dead letter</dt><dd><Link href={`/dead-letters/${run.jobId}`}>job {run.jobId}</Link></dd></div> : null}
      </dl>
      {others.length > 1 ? (
        <section aria-labelledby="h-att">
          <h2 id="h-att">Attempts of this job</h2>
          <ol className="attempts">
            {others.map((r) => (
              <li key={r.id}>{r.id === run.id ? <strong>#{r.id} (this run)</strong> : <Link href={`/runs/${r.id}`}>#{r.id}</Link>} attempt {r.attempt} · <Status value={r.status} /> {r.error ? <>· <code>{r.error.code}</code> {r.error.message}</> : null}</li>
            ))}
          </ol>
        </section>
      ) : null}
      <section aria-labelledby="h-steps">
        <h2 id="h-steps">Timeline</h2>
        <ol className="timeline">
          {(run.steps ?? []).map((s, i) => (
            <li key={i} className={`step ${s.status}`}>
              <div className="step-head">
                <span className="step-name">{s.step}</span> <Status value={s.status} /> <span className="muted small">+{s.startedAt - run.startedAt} ms · {s.durationMs.toFixed(1)} ms</span>
              </div>
              {s.error ? <div className="step-error"><ErrorText error={s.error} /></div> : null}
              <details>
                <summary>Input</summary>
                <Json value={s.input} />
              </details>
              <details>
                <summary>Output</summary>
                <Json value={s.output} />
              </details>
            </li>
          ))}
        </ol>
        {(run.steps ?? []).length === 0 ? <p className="muted">This run recorded no steps.</p> : null}
      </section>
    </Page>
  );
}
