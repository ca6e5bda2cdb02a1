import { defineErrorCodes } from './errors.js';

export const coreErrorCodes = defineErrorCodes({
  JOB_LEASE_EXPIRED: { kind: 'bug', description: 'The worker running this job stopped (crash, kill, lost database connection) on every attempt, so the job was dead-lettered instead of looping. Inspect the worker logs, then replay.' },
  UNEXPECTED: { kind: 'bug', description: 'An exception nobody classified. The stack is in the log; report it.' },
});
