import { useEffect, type ReactNode } from 'react';
import type { ApiError, SerializedError } from '../api';

export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Syncline`;
  }, [title]);
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1} id="page-title">{title}</h1>
        {actions ? <div className="actions">{actions}</div> : null}
      </div>
      {children}
    </>
  );
}

export function Status({ value }: { value: string }) {
  const cls = /succeeded|ok|up|closed|firing-no/.test(value) ? 'good' : /dead|error|open|down|circuit open/.test(value) && !/half/.test(value) ? 'bad' : /retrying|degraded|half|skipped|queued|running/.test(value) ? 'warn' : 'neutral';
  return <span className={`badge ${cls}`}>{value}</span>;
}

export function ErrorBox({ error }: { error: ApiError | Error | undefined | null }) {
  if (!error) return null;
  const code = (error as ApiError).code;
  return (
    <div className="error-box" role="alert">
      {code ? <strong>{code}: </strong> : null}
      {error.message}
    </div>
  );
}

export function ErrorText({ error }: { error: SerializedError | null | undefined }) {
  if (!error) return <span className="muted">—</span>;
  return (
    <span>
      <code className="code">{error.code}</code> <span className="muted">({error.kind})</span> {error.message}
    </span>
  );
}

export function Loading() {
  return <p className="muted" aria-live="polite">Loading…</p>;
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{value === undefined ? 'undefined' : JSON.stringify(value, null, 2)}</pre>;
}
