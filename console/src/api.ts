// The console speaks only the documented admin API (/api, OpenAPI at /api/docs/json), with the
// session cookie the sign-in link gave it. Writes echo the session's CSRF token.
export type Role = 'viewer' | 'operator' | 'admin';
export interface Session { user: { kind: 'session' | 'token'; id: number; name: string; role: Role }; csrf: string | null }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

let csrf: string | null = null;
export const setCsrf = (v: string | null) => {
  csrf = v;
};
let onUnauthorized: () => void = () => {};
export const setOnUnauthorized = (f: () => void) => {
  onUnauthorized = f;
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(`/api${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (res.status === 401 && path !== '/session/signin') onUnauthorized();
    throw new ApiError(res.status, data?.code ?? 'HTTP_' + res.status, data?.message ?? res.statusText, data?.details ?? {});
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export const roleAllows = (held: Role, needed: Role) => ({ viewer: 0, operator: 1, admin: 2 })[held] >= ({ viewer: 0, operator: 1, admin: 2 })[needed];

// ---- shapes of the API answers the console reads
export interface SerializedError { code: string; kind: 'user' | 'transient' | 'bug'; message: string; details?: Record<string, unknown>; retryAfterMs?: number }
export interface Run { id: number; eventId: number | null; jobId: number; flow: string; recordKey: string; status: 'succeeded' | 'skipped' | 'retrying' | 'dead'; attempt: number; error: SerializedError | null; startedAt: number; finishedAt: number; flowVersion?: number | null; note?: string | null; steps?: Step[] }
export interface Step { step: string; status: 'ok' | 'error' | 'skipped'; input: unknown; output: unknown; error: SerializedError | null; startedAt: number; durationMs: number }
export interface DeadLetter { id: number; flow: string; recordKey: string | null; eventId: number | null; attempts: number; error: SerializedError | null; createdAt: number; updatedAt: number }
export interface DeadLetterDetail extends DeadLetter { inputs: unknown; history: Array<{ attempt: number; at: number; error: SerializedError | null; outcome?: string }>; runs: Run[] }
export interface DlGroup { flow: string; kind: string; code: string; count: number; example: string; ids: number[]; oldest: number; newest: number }
export interface Connection { id: string; system: string; config: Record<string, unknown>; secrets: Record<string, string>; createdAt: number; updatedAt: number }
export interface Point { t: number; ok: number; failed: number; p50Ms: number | null; maxMs: number | null }
export interface Dashboard {
  at: number;
  connections: Array<{ id: string; system: string; status: string; circuit: string; failuresLast5m: number; lastError: { code: string; message: string; at: number } | null; rateLimit: { minHeadroomPct: number; buckets: Array<{ operation: string; tokens: number; burst: number; ratePerSec: number; headroomPct: number }> } | null }>;
  queue: { totals: Record<string, number>; byFlow: Array<{ flow: string; state: string; count: number }> };
  deadLettersByClass: Array<{ kind: string; code: string; count: number }>;
  flows: Array<{ id: string; description: string }>;
  lastHour: Record<string, Point[]>;
  lastDay: Record<string, Point[]>;
  reconciliation: Array<{ pair: string; status: string; at: number | null; durationMs: number | null; by: string | null; summary: string | null; differenceCount: number; error: string | null }>;
}
export interface User { id: number; name: string; role: Role; createdAt: number; disabled: boolean }
export interface AuditEntry { id: number; at: number; actor: string; action: string; target: unknown; before: unknown; after: unknown; status: number }

export const fmtTime = (ms: number | null | undefined) => (ms ? new Date(ms).toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—');
