// Which kind of token the connection holds, without changing anything: a status PUT on order 0
// (ids start at 1, so it can never touch an order). X-Cart's access_control runs before the order
// is looked up, so a read-only token gets 403 and a read/write token gets past it to a 404.
// Flows that write statuses or tracking call this at setup to fail early with a clear reason.
import { z } from 'zod';
import { xcartOperation } from './define.js';

export const checkAccess = xcartOperation({
  id: 'checkAccess',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({}),
  output: z.object({ read: z.literal(true), write: z.boolean() }),
  async run(client) {
    const res = await client.http.request({
      operation: 'checkAccess',
      method: 'PUT',
      path: 'api/orders/0/payment_status',
      body: { code: 'Q' },
      headers: { accept: 'application/json' },
      acceptStatus: [403, 404, 400, 422],
      idempotent: true,
    });
    return { read: true as const, write: res.status !== 403 };
  },
});
