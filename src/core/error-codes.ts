import { defineErrorCodes } from './errors.js';

export const coreErrorCodes = defineErrorCodes({
  JOB_LEASE_EXPIRED: { kind: 'bug', description: 'The worker running this job stopped (crash, kill, lost database connection) on every attempt, so the job was dead-lettered instead of looping. Inspect the worker logs, then replay.' },
  SECRET_KEY_INVALID: { kind: 'user', description: 'The master key (SYNCLINE_MASTER_KEY or data/master.key) is malformed or its file is readable by others. Give 32 bytes as hex or base64; chmod 600 the key file.' },
  SECRET_UNREADABLE: { kind: 'user', description: 'A stored connection secret cannot be decrypted: the master key is not the one it was sealed with. Restore the original key, or re-enter the credentials.' },
  CONNECTION_INVALID: { kind: 'user', description: 'A connection could not be saved: its id, system, config or secrets are malformed, or config holds what looks like a secret. `details.problems` lists each.' },
  TOKEN_NAME_INVALID: { kind: 'user', description: 'An API token needs a name of 1-100 characters saying who or what uses it.' },
  TOKEN_ROLE_INVALID: { kind: 'user', description: 'An API token\'s role must be `viewer` (read, PII masked), `operator` (also replay, edit and discard dead letters) or `admin` (also connections, tokens).' },
  PAYLOAD_SEALED: { kind: 'user', description: 'A stored event or job payload is encrypted at rest and this command found no master key to read it: set SYNCLINE_MASTER_KEY, or point the command at the store with --config (or --db beside its master.key).' },
  EVENT_MISSING: { kind: 'user', description: 'A job refers to its inbox event for the record, and that event is no longer in the store (deleted by hand). Discard the dead letter, or replay it with the record as an edited payload.' },
  PRIVACY_EMAIL_INVALID: { kind: 'user', description: '`syncline privacy erase` needs the customer\'s e-mail address (`--email jane.doe@example.com`).' },
  CONFIG_INVALID: { kind: 'user', description: 'The configuration file is missing, does not parse, or fails validation; the message lists every problem with its path.' },
  STORE_MISSING: { kind: 'user', description: 'A read command (runs, dlq, token list…) found no store at the given place; nothing was created. Check --db or --config.' },
  CONNECTION_IN_USE: { kind: 'user', description: 'A connection a flow uses cannot be deleted; `details.flows` names them. Remove or rebind those flows first.' },
  UNEXPECTED: { kind: 'bug', description: 'An exception nobody classified. The stack is in the log; report it.' },
});
