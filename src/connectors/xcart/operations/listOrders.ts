// GET /api/orders — one page of orders, newest data included (items, addresses, statuses).
// Filters are the ones the XC55 Order resource declares (specs §1.3): `date[...]` on the creation
// date (compared as Unix seconds), `order[date|lastRenewDate]`, exact status codes, partial login.
import { z } from 'zod';
import { dateInput, orderSchema, pagingInput } from '../schemas.js';
import { xcartOperation } from './define.js';

const codes = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const listOrdersInput = z.strictObject({
  ...pagingInput,
  /** `date[after]`: created at or after (inclusive, whole seconds). */
  createdAfter: dateInput.optional(),
  createdStrictlyAfter: dateInput.optional(),
  createdBefore: dateInput.optional(),
  createdStrictlyBefore: dateInput.optional(),
  sort: z.enum(['date', 'lastRenewDate']).optional(),
  direction: z.enum(['asc', 'desc']).default('asc'),
  paymentStatus: codes.optional(),
  shippingStatus: codes.optional(),
  /** `profile.login`: partial match on the customer's email. */
  login: z.string().min(1).optional(),
});

export const listOrdersOutput = z.object({
  items: z.array(orderSchema),
  page: z.number().int(),
  itemsPerPage: z.number().int(),
  /** A full page came back, so the next one may hold more. */
  mayHaveMore: z.boolean(),
});

export const listOrders = xcartOperation({
  id: 'listOrders',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: listOrdersInput,
  output: listOrdersOutput,
  async run(client, input) {
    const perPage = input.itemsPerPage ?? client.itemsPerPage;
    const query: Record<string, string | number | undefined | string[]> = {
      page: input.page,
      itemsPerPage: perPage,
      'date[after]': input.createdAfter,
      'date[strictly_after]': input.createdStrictlyAfter,
      'date[before]': input.createdBefore,
      'date[strictly_before]': input.createdStrictlyBefore,
      'profile.login': input.login,
    };
    if (input.sort) query[`order[${input.sort}]`] = input.direction;
    const multi: Array<[string, string[]]> = [];
    for (const [name, v] of [['paymentStatus.code', input.paymentStatus], ['shippingStatus.code', input.shippingStatus]] as const) {
      if (v === undefined) continue;
      if (typeof v === 'string') query[name] = v;
      else multi.push([`${name}[]`, v]);
    }
    // HttpClient joins arrays with commas; API Platform wants repeated `name[]=` parameters.
    let path = 'api/orders';
    if (multi.length) path += '?' + multi.flatMap(([k, vs]) => vs.map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
    const items = await client.call({ operation: 'listOrders', path, query }, z.array(orderSchema));
    return { items, page: input.page, itemsPerPage: perPage, mayHaveMore: items.length === perPage && perPage > 0 };
  },
});
