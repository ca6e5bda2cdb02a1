// PATCH OE/OEOrders(OrderUniquifier) {OnHold} — the order's hold flag, the one order state the shop's
// statuses can change in Sage 300 (a completed order cannot change; shipping and invoicing are Sage's
// own). Only where the server takes PATCH on OE orders: the Aug 2022 Endpoint Reference lists GET and
// POST only, so on such a server the answer is SAGE300_NOT_SUPPORTED, naming the order and the reason,
// before anything is sent: the operator sets the hold in O/E Order Entry and replays the dead letter,
// which then finds the order as it should be and changes nothing.
import { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { orderOut } from '../schemas.js';
import { patchRefused, sage300Operation, WEBAPI_DOCS } from './define.js';

export const setOrderHold = sage300Operation({
  id: 'setOrderHold',
  docs: `${WEBAPI_DOCS} (OEOrders PATCH OnHold)`,
  input: z.strictObject({
    orderUniquifier: z.number().int().positive(),
    orderNumber: z.string().min(1).max(22),
    onHold: z.boolean(),
    /** Why (e.g. the shop's status), for the message an operator reads. */
    reason: z.string().max(200),
  }),
  output: orderOut,
  run: async (client, { orderUniquifier, orderNumber, onHold, reason }) => {
    const what = `${onHold ? 'put' : 'take'} order ${orderNumber} ${onHold ? 'on' : 'off'} hold (${reason})`;
    const details = { orderUniquifier, orderNumber, onHold, capability: 'oeOrderPatch' };
    const refuse = () => userError('SAGE300_NOT_SUPPORTED', `setOrderHold: ${what}: this Sage 300 Web API takes no PATCH on OE/OEOrders (GET and POST only, Endpoint Reference Aug 2022). Set "On Hold" in O/E Order Entry, then replay: the replay finds the order as it should be and changes nothing.`, { details });
    // Already as asked (e.g. set by hand, then the dead letter replayed): nothing to send.
    const now = await client.get('setOrderHold', 'OE', 'OEOrders', orderUniquifier, orderOut);
    if (now && (now.OnHold === true) === onHold) return now;
    if (!(await client.supports('oeOrderPatch'))) throw refuse();
    const res = await client.request({ operation: 'setOrderHold', method: 'PATCH', path: client.path('OE', 'OEOrders', orderUniquifier), body: { OnHold: onHold } })
      .catch((e: unknown) => {
        const err = patchRefused(client, e, 'setOrderHold', what, details);
        throw err !== e ? refuse() : e;
      });
    if (res.body && typeof res.body === 'object') return orderOut.parse(res.body);
    return orderOut.parse(await client.get('setOrderHold', 'OE', 'OEOrders', orderUniquifier, orderOut));
  },
});
