import { defineErrorCodes } from '../core/errors.js';

// Settlement reconciliation (issue 9, flow 4; docs/decisions/0010-settlement-reconciliation.md).
// Header, summary-row and amount problems reuse the connector's AMAZON_SETTLEMENT_MALFORMED.
export const settlementErrorCodes = defineErrorCodes({
  SETTLEMENT_TRUNCATED: { kind: 'user', description: 'The settlement file ends early: its last line is cut short, or its lines do not add up to the summary\'s total-amount. `details.lineNo` is the last line read. Nothing was posted; fetch the report again.' },
  SETTLEMENT_UNMAPPED: { kind: 'user', description: 'A settlement line\'s (transaction-type, amount-type, amount-description) has no GL account in the settlement-accounts table. The settlement is held, nothing posted; `details.unmapped` lists each with its amount. Add the mapping, then import (replay) again.' },
  SETTLEMENT_INVALID: { kind: 'user', description: 'The settlement cannot be turned into a journal entry: the journal mapping reported errors, the settlement id is too long for X3\'s 20-character REF, or the options are wrong. `details` names each problem.' },
  SETTLEMENT_PARTIAL: { kind: 'bug', description: 'Part of a split settlement was posted, a later part failed, and the compensating reversal failed too. `details.posted` lists the X3 entries to reverse by hand; the settlement row stays `failed`.' },
});
