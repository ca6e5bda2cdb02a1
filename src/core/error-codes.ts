import { defineErrorCodes } from './errors.js';

export const coreErrorCodes = defineErrorCodes({
  UNEXPECTED: { kind: 'bug', description: 'An exception nobody classified. The stack is in the log; report it.' },
});
