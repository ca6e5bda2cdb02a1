import { defineErrorCodes } from '../core/errors.js';

// Intelligence (issue 14): mapping suggestions and error triage.
export const intelligenceErrorCodes = defineErrorCodes({
  SUGGEST_UNKNOWN_ENTITY: { kind: 'user', description: '`syncline mapping suggest` or `mapping accept` was given an entity no connector schema or mapping target describes. The message lists every known SYSTEM.ENTITY (xcart.order, amazon.Order, sage300.OEOrders, sagex3.SOH …).' },
  SUGGEST_UNKNOWN_FIELD: { kind: 'user', description: '`syncline mapping accept` named a field path the entity does not have. Paths use dots and `[]` (`items[].sku`); `mapping suggest` lists them.' },
  TRIAGE_NO_FIX: { kind: 'user', description: '`syncline dlq triage --apply N` named a cluster that does not exist or has no data fix to apply (only lookup entries can be applied; too-long fields and closed periods need a person). The message says which.' },
});
