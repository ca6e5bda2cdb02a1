// Adds a tracking number to an order through the LEGACY REST API (5.4 semantics):
//   POST admin.php?target=RESTAPI&_key=…&_path=ordertrackingnumber/0
//   model[value]=<tracking number>&model[order][order_id]=<order id>
// X-Cart 5.5's own API exposes tracking numbers read-only (in the order), so this is the one write
// path a stock store offers. How the add-on binds the `order` association is unconfirmed [I].
// Not idempotent: before retrying an unknown outcome, read the order's tracking_numbers.
import { z } from 'zod';
import { legacyTrackingNumberSchema } from '../schemas.js';
import { xcartOperation } from './define.js';
import { legacyCall } from './legacy.js';

export const addTrackingNumber = xcartOperation({
  id: 'addTrackingNumber',
  docs: 'https://support.x-cart.com/en/articles/4490923-rest-api-documentation',
  input: z.strictObject({ orderId: z.number().int().positive(), value: z.string().trim().min(1).max(255) }),
  output: legacyTrackingNumberSchema,
  run: (client, input) =>
    legacyCall(client, { operation: 'addTrackingNumber', method: 'POST', path: 'ordertrackingnumber/0', model: { value: input.value, 'order.order_id': String(input.orderId) } }, legacyTrackingNumberSchema),
});
