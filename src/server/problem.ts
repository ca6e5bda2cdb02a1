// Every error leaves the server as one JSON problem: {code, message, details}. The status comes
// from the error's kind (user 400, transient 503, bug 500) unless the route chose a more precise
// one (401, 404, 413…). Bugs never show their message or stack to the caller: those go to the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SynclineError, toSynclineError } from '../core/errors.js';
import { redact } from '../core/redact.js';

export interface Problem {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

const STATUS = Symbol('httpStatus');

/** Marks an error with the HTTP status it should be answered with. */
export function withStatus<E extends SynclineError>(err: E, status: number): E {
  (err as unknown as Record<symbol, number>)[STATUS] = status;
  return err;
}

const statusOf = (err: SynclineError): number =>
  (err as unknown as Record<symbol, number | undefined>)[STATUS] ?? (err.kind === 'user' ? 400 : err.kind === 'transient' ? 503 : 500);

/** Fastify's own errors (parsing, validation, limits) in Syncline's words. */
function fromFastify(err: FastifyError, limitBytes: number): SynclineError | undefined {
  if (err.validation) {
    const issues = err.validation.map((v) => ({ path: `${err.validationContext ?? ''}${v.instancePath}`, message: v.message ?? 'invalid' }));
    return withStatus(new SynclineError('API_INVALID_REQUEST', 'user', err.message, { details: { issues } }), 400);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return withStatus(new SynclineError('REQUEST_TOO_LARGE', 'user', `the request body is larger than the limit of ${limitBytes} bytes`, { details: { limitBytes } }), 413);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return withStatus(new SynclineError('REQUEST_UNSUPPORTED_MEDIA_TYPE', 'user', err.message), 415);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return withStatus(new SynclineError('REQUEST_MALFORMED_JSON', 'user', `the body is not valid JSON: ${err.message}`), 400);
  }
  // Any other 4xx Fastify raises itself (bad content-length, aborted body…) is the client's.
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return withStatus(new SynclineError('API_INVALID_REQUEST', 'user', err.message), err.statusCode);
  return undefined;
}

export function makeErrorHandler(limitBytes: number) {
  return (raw: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    const err = (raw instanceof SynclineError ? raw : fromFastify(raw as FastifyError, limitBytes)) ?? toSynclineError(raw);
    const status = statusOf(err);
    const body: Problem =
      status >= 500 && err.kind === 'bug'
        ? { code: err.code, message: `internal error (request ${req.id}); the server log has the cause`, details: {} }
        : { code: err.code, message: err.message, details: err.details };
    if (status >= 500) {
      reply.header('x-request-id', String(req.id));
      // Logs carry the cause but never personal data from payloads.
      req.log.error({ err: { ...err.toJSON(), details: redact(err.details) }, stack: err.kind === 'bug' ? (err.cause as Error | undefined)?.stack ?? err.stack : undefined }, 'request failed');
    } else {
      req.log.info({ code: err.code, status }, err.message);
    }
    if (err.retryAfterMs !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="syncline"');
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  };
}

/** JSON schema of the problem body, for the OpenAPI document. */
export const problemSchema = {
  type: 'object',
  description: 'An error: a stable code (see docs/errors.md), a message a person can act on, and details.',
  properties: {
    code: { type: 'string', example: 'API_UNAUTHORIZED' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
  required: ['code', 'message', 'details'],
} as const;
