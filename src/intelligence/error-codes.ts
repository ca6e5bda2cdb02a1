import { defineErrorCodes } from '../core/errors.js';

// Intelligence (issue 14): mapping suggestions and error triage.
export const intelligenceErrorCodes = defineErrorCodes({
  SUGGEST_UNKNOWN_ENTITY: { kind: 'user', description: '`syncline mapping suggest` or `mapping accept` was given an entity no connector schema or mapping target describes. The message lists every known SYSTEM.ENTITY (xcart.order, amazon.Order, sage300.OEOrders, sagex3.SOH …).' },
  SUGGEST_UNKNOWN_FIELD: { kind: 'user', description: '`syncline mapping accept` named a field path the entity does not have. Paths use dots and `[]` (`items[].sku`); `mapping suggest` lists them.' },
  TRIAGE_NO_FIX: { kind: 'user', description: '`syncline dlq triage --apply N` named a cluster that does not exist or has no data fix to apply (only lookup entries can be applied; too-long fields and closed periods need a person). The message says which.' },
  ORDER_HELD_FOR_REVIEW: { kind: 'user', description: 'A flow\'s `hold` step scored the order at or above its risk threshold (or flagged it as an anomaly the flow holds): it was parked before reaching the ERP. The details carry the score, the threshold and every reason. A person releases it (`syncline holds release ID`, POST /api/holds/{id}/release: replayed, passing the hold) or cancels it (`syncline holds cancel ID --reason TEXT`: discarded, the reason kept).' },
  HOLD_NOT_FOUND: { kind: 'user', description: '`syncline holds release|cancel` or /api/holds/{id} named a dead letter that is not an order held for review (replayed or discarded meanwhile, or dead for another reason). `syncline holds list` shows the held ones.' },
  HOLD_REASON_REQUIRED: { kind: 'user', description: 'Cancelling a held order needs a reason (`--reason TEXT`, or `reason` in the body): it is kept with the decision.' },
});
