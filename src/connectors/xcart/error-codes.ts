import { defineErrorCodes } from '../../core/errors.js';

export const xcartErrorCodes = defineErrorCodes({
  XCART_BAD_CONFIG: { kind: 'user', description: 'The X-Cart connection settings are invalid (URL, token, page size); the message names each field.' },
  XCART_AUTH_FAILED: { kind: 'user', description: 'X-Cart refused the X-Auth-Token (401). Check the token in Admin → Settings → API (`token_all` for read/write, `token_read` for read-only).' },
  XCART_FORBIDDEN: { kind: 'user', description: 'X-Cart answered 403: the token is the read-only one and the call writes. Configure the read/write token.' },
  XCART_NOT_FOUND: { kind: 'user', description: 'The order, product, profile or address does not exist in X-Cart (404); `details.path` says which.' },
  XCART_REJECTED: { kind: 'user', description: 'X-Cart rejected the request (400), e.g. "Status code \'X\' is invalid" (payment) / "… is wrong" (shipping); `details.detail` is its message.' },
  XCART_VALIDATION: { kind: 'user', description: 'X-Cart found invalid fields (422); `details.violations` lists each `propertyPath` and message.' },
  XCART_UNEXPECTED_RESPONSE: { kind: 'bug', description: 'X-Cart answered 2xx with a body that does not match the documented shape (a module or version difference); `details.issues` says where.' },
  XCART_BAD_CURSOR: { kind: 'user', description: 'The stored order-poller cursor cannot be read (edited or from another connector). Reset the trigger\'s cursor.' },
  XCART_LEGACY_API_ERROR: { kind: 'user', description: 'The legacy REST API (admin.php?target=RESTAPI) refused the call; `details.restError` holds its X-REST-Error header.' },
  XCART_NO_TRACKING_API: { kind: 'user', description: 'The store has no API that writes tracking numbers (X-Cart 5.5 has none; the connection declares no `trackingModule`). Nothing was sent: the shipping status is set, the tracking number is not written. Set `trackingModule: legacy-rest` (with `legacyKey`) only if the store runs the 5.4 REST API module.' },
  XCART_WEBHOOK_SIGNATURE: { kind: 'user', description: 'A pushed webhook failed signature verification (bad secret, tampered body or timestamp outside the tolerance). The delivery is refused.' },
});
