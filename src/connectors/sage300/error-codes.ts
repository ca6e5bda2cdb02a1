import { defineErrorCodes } from '../../core/errors.js';

export const sage300ErrorCodes = defineErrorCodes({
  SAGE300_INVALID_INPUT: { kind: 'user', description: 'The data handed to a Sage 300 operation is invalid (missing field, wrong type, an amount that cannot be sent exactly); nothing was sent. `details.violations` lists each problem.' },
  SAGE300_INVALID_CONFIG: { kind: 'user', description: 'The Sage 300 connection settings are incomplete or malformed (base URL, company, user). Fix the connection, then replay.' },
  SAGE300_AUTH_FAILED: { kind: 'user', description: 'Sage 300 refused the user, password or company (`Unauthorized`, `Forbidden`, `SessionError`). Check the Web API user (ADMIN is blocked unless allowed) and the company id.' },
  SAGE300_NOT_FOUND: { kind: 'user', description: 'Sage 300 answered `RecordNotFound` / `ResourceNotFound`: the key or resource does not exist.' },
  SAGE300_FIELD_INVALID: { kind: 'user', description: 'Sage 300 rejected a field value (`FieldInvalid`), e.g. an unknown item or customer, a date outside the fiscal calendar, an undefined optional field. The message is Sage\'s own.' },
  SAGE300_DUPLICATE: { kind: 'user', description: 'Sage 300 answered `RecordDuplicate`: the key or the customer\'s PO number exists already. Creates look the record up first, so this means a conflicting record made elsewhere.' },
  SAGE300_INVALID_PAYLOAD: { kind: 'user', description: 'Sage 300 could not read the request (`InvalidPayload`): unknown property, wrong type, malformed JSON.' },
  SAGE300_NOT_SUPPORTED: { kind: 'user', description: 'This Sage 300 Web API does not take the request: `MethodNotAllowed` (405), or the connection test found it cannot (e.g. OE orders take GET and POST only, as in Sage\'s Aug 2022 Endpoint Reference, so an existing order cannot be changed or shipped over the API). Nothing was sent or changed; do it in Sage 300, or use a server/partner endpoint that allows it.' },
  SAGE300_INVALID_QUERY: { kind: 'user', description: 'Sage 300 rejected the OData query, key or action (`InvalidParameters`, `InvalidEntityKey`, `InvalidAction`).' },
  SAGE300_REJECTED: { kind: 'user', description: 'A business rule of a Sage 300 view refused the change (409 `General`, e.g. incomplete ship-to address, customer on hold, unbalanced entry). The message is Sage\'s own.' },
  SAGE300_RECORD_IN_USE: { kind: 'transient', description: 'The record or batch is in use by another Sage 300 user (409 `General`). Retried with backoff.' },
  SAGE300_ORDER_NOT_YET: { kind: 'transient', description: 'A payment\'s X-Cart order is not in Sage 300 yet (no OE order has its purchase-order number), so there is nothing to apply the receipt to. Retried while the order flow delivers it; a dead letter means the order itself did not arrive (see that flow\'s dead letters), replay it after.' },
  SAGE300_ENTRY_NOT_SEEN: { kind: 'transient', description: 'Sage 300 answered an AR batch write but the batch does not show the entry written; treated as an unknown outcome: looked up by its reference after the settle time before any new attempt.' },
  SAGE300_SERVER_ERROR: { kind: 'transient', description: 'Sage 300 (or IIS in front of it) failed with a 5xx or `InternalServerError`/`DBLinkError`. Retried with backoff.' },
  SAGE300_UNEXPECTED_RESPONSE: { kind: 'bug', description: 'Sage 300 answered 2xx with a body that does not have the documented shape; `details.issues` says where.' },
});
