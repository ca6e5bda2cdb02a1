import { defineErrorCodes } from '../core/errors.js';

export const alertErrorCodes = defineErrorCodes({
  ALERT_RULE_INVALID: { kind: 'user', description: 'An alert rule could not be saved: its name, kind (dead-letters, connection-down, duplicate-reference, order-flagged, reconciliation-difference), channel (webhook, email), threshold, window or target (an http(s) URL or an e-mail address) is malformed. `details.problems` lists each.' },
});
