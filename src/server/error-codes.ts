import { defineErrorCodes } from '../core/errors.js';

export const serverErrorCodes = defineErrorCodes({
  API_UNAUTHORIZED: { kind: 'user', description: 'The admin API needs `Authorization: Bearer <token>` with a token created by `syncline token create`; the token was missing, malformed or revoked (401).' },
  API_FORBIDDEN: { kind: 'user', description: 'The caller is authenticated but its role is below what the route needs (403): viewers read, operators also replay, edit and discard dead letters, admins also change connections and tokens. `details.required` and `details.held` name both roles.' },
  API_INVALID_REQUEST: { kind: 'user', description: 'A parameter or body of an admin API call failed validation (400); the message and `details.issues` say which and why.' },
  API_NOT_FOUND: { kind: 'user', description: 'The run, dead letter, connection or route does not exist (404). A dead letter that was replayed or discarded is no longer one.' },
  REQUEST_TOO_LARGE: { kind: 'user', description: 'The request body is larger than the server accepts (413); `details.limitBytes` is the cap (`server.bodyLimitBytes`).' },
  REQUEST_UNSUPPORTED_MEDIA_TYPE: { kind: 'user', description: 'The admin API reads JSON only (415): send `Content-Type: application/json`.' },
  REQUEST_MALFORMED_JSON: { kind: 'user', description: 'The body is not valid JSON (400); the message carries the parser\'s reason and position.' },
  REQUEST_INVALID_UTF8: { kind: 'user', description: 'A webhook body is not valid UTF-8 (400). Syncline stores exactly the bytes that were signed, so it refuses bytes it would have to alter; send JSON encoded as UTF-8.' },
  REQUEST_TOO_DEEP: { kind: 'user', description: 'A webhook body nests arrays and objects deeper than 64 levels (400); `details.atByte` is where. Real records nest far less; nothing was stored.' },
  SERVER_NOT_READY: { kind: 'transient', description: '/readyz: the database did not answer a trivial query in time (503), or, with `?strict=true`, a connection is degraded or paused (`details.connections` says why). Check that the SQLite file is writable or PostgreSQL is reachable; see the connection\'s reason.' },
  WEBHOOK_UNKNOWN_CONNECTION: { kind: 'user', description: 'No connection with this id accepts webhooks (404): it does not exist or has no `webhookSecret` secret. Check the URL configured in the sending system.' },
  WEBHOOK_SIGNATURE_MISSING: { kind: 'user', description: 'The webhook has no usable `X-Syncline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` header (401). Nothing was stored.' },
  WEBHOOK_SIGNATURE_INVALID: { kind: 'user', description: 'The signature does not match the body under the connection\'s webhook secret (401): wrong secret, or the body was altered after signing. Nothing was stored.' },
  WEBHOOK_TIMESTAMP_STALE: { kind: 'user', description: 'The signature\'s timestamp is further from the server clock than the tolerance (401; default 300 s): a replayed request or a skewed clock. Sync the sender\'s clock (NTP).' },
  WEBHOOK_INVALID_EVENT: { kind: 'user', description: 'The webhook body is JSON but not an event (400): it must be `{system, entity, id, version, payload}` or an array of them; `details.issues` lists each problem with its path.' },
  WEBHOOK_INTAKE_UNAVAILABLE: { kind: 'transient', description: 'The event could not be written to the inbox (database busy or unreachable), so nothing was accepted (503 with Retry-After). The sender should retry; a retry is never processed twice.' },
});
