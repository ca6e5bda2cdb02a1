// GET /api/orders/by_number/{orderNumber} — the order number shoppers and staff see (`\w+`).
import { z } from 'zod';
import { orderSchema } from '../schemas.js';
import { xcartOperation } from './define.js';

export const getOrderByNumber = xcartOperation({
  id: 'getOrderByNumber',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({ orderNumber: z.string().regex(/^\w+$/, 'order numbers are letters, digits and _ only') }),
  output: orderSchema,
  run: (client, input) => client.call({ operation: 'getOrderByNumber', path: `api/orders/by_number/${input.orderNumber}` }, orderSchema),
});
