// PUT /api/orders/{id}/shipping_status with {"code": …} (≤ 4 characters; specs §1.3–1.4).
// Codes are not restricted to the core set: XC/CustomOrderStatuses adds codes, and X-Cart itself
// answers "Status code 'X' is invalid" (payment) / "… is wrong" (shipping) (XCART_REJECTED) for one the
// store does not know. X-Cart checks no transitions: any known code is set, so the flow decides what is legal.
import { z } from 'zod';
import { statusCodeInput, statusSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const updateShippingStatus = xcartOperation({
  id: 'updateShippingStatus',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ orderId: z.number().int().positive(), code: statusCodeInput }),
  output: statusSchema,
  run: (client, input) =>
    client.call({ operation: 'updateShippingStatus', method: 'PUT', path: `api/orders/${input.orderId}/shipping_status`, body: { code: input.code } }, statusSchema),
});
