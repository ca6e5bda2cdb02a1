import { defineErrorCodes } from '../core/errors.js';

export const httpErrorCodes = defineErrorCodes({
  HTTP_TIMEOUT: { kind: 'transient', description: 'The system did not answer in time. For a create the outcome is unknown (`details.outcomeUnknown`): the delivery looks the record up by its reference before creating again.' },
  HTTP_UNAVAILABLE: { kind: 'transient', description: 'The connection failed (refused, reset, DNS). Retried with backoff; the circuit breaker opens after repeated failures.' },
  HTTP_SERVER_ERROR: { kind: 'transient', description: 'The system answered 5xx. Retried with backoff, honouring Retry-After.' },
  HTTP_RATE_LIMITED: { kind: 'transient', description: 'The system answered 429. Retried exactly after the wait it asked for (Retry-After / rate-limit headers).' },
  HTTP_CONFLICT: { kind: 'transient', description: 'The record is locked or in use by someone else (409). Retried with backoff.' },
  HTTP_AUTH_FAILED: { kind: 'user', description: 'Credentials were refused (401/403). Fix the connection\'s credentials, then replay.' },
  HTTP_NOT_FOUND: { kind: 'user', description: 'The record or path does not exist (404).' },
  HTTP_REJECTED: { kind: 'user', description: 'The system rejected the request as invalid (4xx); `details.body` holds its reason.' },
  HTTP_BAD_RESPONSE: { kind: 'transient', description: 'The system answered with a body we could not parse (garbage, truncated JSON). Retried; if it persists, inspect `details.sample`.' },
  CIRCUIT_OPEN: { kind: 'transient', description: 'Calls to this connection are paused because it failed repeatedly; they resume by themselves after a probe succeeds.' },
});
