import { defineErrorCodes } from '../../core/errors.js';

// X3 answers business errors as HTTP 200 with status 0 and type-3 messages; these codes say what the
// message means for the engine. The X3 text itself is always in `details.messages`.
export const sagex3ErrorCodes = defineErrorCodes({
  X3_LOCKED: { kind: 'transient', description: 'The record is being modified by another user or channel (type-3 lock message). Retried with backoff.' },
  X3_NOT_FOUND: { kind: 'user', description: 'X3 says a record does not exist: the key read, or a referenced item, customer, site or account. Create or map it, then replay.' },
  X3_DUPLICATE: { kind: 'user', description: 'X3 refused a create because the key or reference already exists. Look the record up (e.g. SOH by CUSORDREF) instead of creating it again.' },
  X3_INVALID: { kind: 'user', description: 'X3 rejected a value (mandatory field, invalid menu value, unbalanced entry, status forbids the change…); `details.messages` has X3\'s words.' },
  X3_PAYLOAD_REJECTED: { kind: 'user', description: 'X3 could not read the PARAM payload (bad XML/JSON grammar, unknown group or field). Check the publication layout with getDescription.' },
  X3_NOT_PUBLISHED: { kind: 'user', description: 'The publication name is not published on this X3 (GESAWE). Fix the connection\'s publication names.' },
  X3_POOL_NOT_FOUND: { kind: 'user', description: 'No classic web-service pool has this alias (aliases are case-sensitive), or the pool is stopped. Fix the alias or start the pool, then replay.' },
  X3_POOL_BUSY: { kind: 'transient', description: 'Every channel of the pool stayed busy for the whole queue timeout. Retried with backoff; if it lasts, add channels or lower concurrency.' },
  X3_NO_WEB_SERVICES: { kind: 'transient', description: 'X3 answered "No Web services accepted": the host runs no web-service child processes (or is restarting).' },
  X3_SOAP_FAULT: { kind: 'bug', description: 'X3 answered a SOAP Fault: it could not read our envelope. `details.faultstring` says why; report it.' },
  X3_BAD_RESPONSE: { kind: 'transient', description: 'The SOAP or api1 answer could not be read (not SOAP, truncated, unparseable resultXml). Retried; if it persists inspect `details.sample`.' },
  X3_TRUNCATED: { kind: 'user', description: 'A subprogram returned only part of the rows (its output table was full, X3 warned). Narrow the criteria (site, item pattern) and call again.' },
  X3_LAYOUT: { kind: 'user', description: 'A field is not on the publication\'s screen layout (no group carries it). Rediscover the layout with getDescription or fix the mapping.' },
  X3_INPUT_INVALID: { kind: 'user', description: 'The data handed to an X3 operation failed its schema before anything was sent; `details.issues` lists the fields.' },
  X3_CONFIG_INVALID: { kind: 'user', description: 'The Sage X3 connection configuration is incomplete or invalid; `details.issues` says what is missing.' },
});
