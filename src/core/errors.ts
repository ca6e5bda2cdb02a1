// One error type for the whole product (STYLE.md): a stable `code`, a `kind` that decides what the
// engine does, and `details` an operator can act on.
//   user      → bad input or configuration: never retried, dead-lettered at once with the reason.
//   transient → the other side is down, slow, locked or rate-limited: retried with backoff
//               (or exactly after `retryAfterMs` when the other side said how long to wait).
//   bug       → our own mistake: retried like transient (it may be a race) but logged loudly.
export type ErrorKind = 'user' | 'transient' | 'bug';

export interface ErrorOptions {
  details?: Record<string, unknown>;
  /** Wait exactly this long before the next attempt (Retry-After, rate-limit headers). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class SynclineError extends Error {
  override readonly name = 'SynclineError';
  readonly details: Record<string, unknown>;
  readonly retryAfterMs?: number;

  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      details: this.details,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

export interface SerializedError {
  code: string;
  kind: ErrorKind;
  message: string;
  details: Record<string, unknown>;
  retryAfterMs?: number;
}

export const userError = (code: string, message: string, options?: ErrorOptions) =>
  new SynclineError(code, 'user', message, options);
export const transientError = (code: string, message: string, options?: ErrorOptions) =>
  new SynclineError(code, 'transient', message, options);
export const bugError = (code: string, message: string, options?: ErrorOptions) =>
  new SynclineError(code, 'bug', message, options);

/** Anything thrown becomes a SynclineError; an unknown exception is a `bug` (we did not foresee it). */
export function toSynclineError(err: unknown): SynclineError {
  if (err instanceof SynclineError) return err;
  if (err instanceof Error) {
    return bugError('UNEXPECTED', err.message || err.name, { cause: err, details: { name: err.name } });
  }
  return bugError('UNEXPECTED', String(err));
}

/**
 * Every module declares its codes in an `error-codes.ts` file with this helper; a test collects them
 * all and checks them against docs/errors.md, so the catalogue and the code never drift apart.
 */
export function defineErrorCodes<const T extends Record<string, { kind: ErrorKind; description: string }>>(codes: T): T {
  return codes;
}

/**
 * True when a failed write may nevertheless have been applied by the target (a timeout, a dropped
 * answer after the request was sent, a gateway error): the deliver and lookup steps and settlement
 * posting wait out the connection's settle time and look the record up before writing again.
 */
export function outcomeUnknown(e: unknown): boolean {
  if (!(e instanceof SynclineError)) return false;
  if (e.details.outcomeUnknown === true) return true;
  const status = e.details.status;
  return e.code === 'HTTP_TIMEOUT' || status === 502 || status === 504;
}
