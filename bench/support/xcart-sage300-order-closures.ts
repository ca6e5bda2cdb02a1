// Bench-only baseline for "the order flow in the new format is no slower than the old one" (issue 8):
// xcart-order-to-sage300 written the old way, as a TypeScript flow object with closures — the shape
// of src/flows/xcart-sage300/order-to-sage300.ts (deleted in 8a76e09; `git show 8a76e09^:src/flows/
// xcart-sage300/order-to-sage300.ts`): map → validate → deliverOnce, connector operations imported and
// called directly. That flow made fewer calls than today's document (no customer or item look-ups:
// its mapping resolved both from lookup tables), so a literal copy would win by doing less. This one
// makes the same calls as flows/xcart-sage300/xcart-order-to-sage300.yaml for a new order:
// risk (off in the bench) → the buyer through the xref, else findCustomerByEmail, else createCustomer
// under a lookup claim → each SKU through the xref, else getItem → the same mapping → validate →
// deliverOnce (findOrdersByReference only after an earlier attempt, createOrder). What differs: no
// update branch (the bench places new orders only, the document's compare never runs either), no
// settle-time wait after an unknown outcome, a claim held by another run is not taken over, and the
// customer's "duplicate" answer is not resolved — paths the bench does not take.
import path from 'node:path';
import { createCustomer, createOrder, findCustomerByEmail, findOrdersByReference, getItem, type Sage300Client } from '../../src/connectors/sage300/index.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/core/db/schema.js';
import { transientError } from '../../src/core/errors.js';
import { defineFlow, type FlowDefinition, type StepContext } from '../../src/core/flow.js';
import { deliverOnce } from '../../src/core/xref.js';
import { MAPPINGS_DIR } from '../../src/flows/document.js';
import { loadMapping, mappingError, type MappingResult } from '../../src/mapping/index.js';

type Order = { customer_id?: number | null; email?: string; items: Array<{ sku: string }>; billing_address?: Record<string, unknown> };
type Ctx = StepContext<unknown>;

export async function orderClosuresFlow(opts: { db: Kysely<Database>; client: () => Sage300Client; shop: string; erp: string }): Promise<FlowDefinition> {
  const orderMapping = await loadMapping(path.join(MAPPINGS_DIR, 'xcart-sage300/order-to-oe-order.yaml'));
  const profileMapping = await loadMapping(path.join(MAPPINGS_DIR, 'xcart-sage300/profile-to-ar-customer.yaml'));
  const options = { webCustomer: 'WEBCUST', riskHold: false, riskThreshold: 50 };
  const customers = { system: 'sage300', entity: 'ar-customer' };
  const items = { system: 'sage300', entity: 'ic-item' };
  const order = (ctx: Ctx) => ctx.event.payload as Order;

  return defineFlow<unknown>({
    id: 'xcart-order-to-sage300',
    revision: 'closures',
    description: 'X-Cart order → Sage 300 OE sales order (closures, bench baseline)',
    source: { system: 'xcart', entity: 'order' },
    target: { system: 'sage300', entity: 'oe-order' },
    connection: opts.erp,
    binding: { connection: opts.shop, entity: 'order' },
    steps: [
      { name: 'risk', run: () => (options.riskHold ? undefined : null) },
      {
        name: 'customer',
        run: async (_: unknown, ctx: Ctx) => {
          const o = order(ctx);
          const key = o.customer_id === null || o.customer_id === undefined || o.customer_id === 0 ? '' : String(o.email ?? '').toLowerCase();
          if (key === '') return { id: options.webCustomer, action: 'fallback' };
          const source = { system: 'xcart', entity: 'customer', id: key };
          const cached = await ctx.xref.find(source, customers);
          if (cached) return { id: cached, action: 'cached' };
          const find = async () => (await findCustomerByEmail.call(opts.client(), { email: key }))[0]?.CustomerNumber;
          const found = await find();
          if (found) {
            ctx.link(source, { ...customers, id: found });
            return { id: found, action: 'found' };
          }
          const claim = `${opts.erp}|ar-customer|${key}`;
          const owner = `${ctx.event.eventId ?? ctx.event.id}:${ctx.attempt}`;
          const inserted = await opts.db.insertInto('lookup_claims').values({ key: claim, owner, expires_at: Date.now() + 60_000 }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
          if (!Number((inserted as { numInsertedRows?: bigint }).numInsertedRows ?? 0)) throw transientError('LOOKUP_IN_PROGRESS', 'another run is creating this customer', { retryAfterMs: 500 });
          ctx.commitWith(async (trx) => void (await trx.deleteFrom('lookup_claims').where('key', '=', claim).where('owner', '=', owner).execute()));
          const again = await find();
          if (again) {
            ctx.link(source, { ...customers, id: again });
            return { id: again, action: 'found' };
          }
          const profile = await profileMapping.run({ id: o.customer_id, login: key, addresses: [{ ...o.billing_address, is_billing: true }] }, { options });
          if (profile.errors.length) throw mappingError(profile, profileMapping);
          const created = await createCustomer.call(opts.client(), profile.output as never);
          const id = created.customer.CustomerNumber;
          ctx.link(source, { ...customers, id });
          return { id, action: 'created' };
        },
      },
      {
        name: 'items',
        run: async (_: unknown, ctx: Ctx) => {
          const resolved: Record<string, string> = {};
          for (const sku of [...new Set(order(ctx).items.map((i) => i.sku))]) {
            const source = { system: 'xcart', entity: 'sku', id: sku };
            let id = await ctx.xref.find(source, items);
            if (!id) {
              id = (await getItem.call(opts.client(), { itemNumber: sku }))?.ItemNumber;
              if (id) ctx.link(source, { ...items, id });
            }
            if (id) resolved[sku] = id;
          }
          return resolved;
        },
      },
      {
        name: 'map',
        run: (_: unknown, ctx: Ctx) => {
          const customer = ctx.outputs.customer as { id: string };
          return orderMapping.run({ ...order(ctx), xref: { customerNumber: customer.id, items: ctx.outputs.items } }, { options });
        },
      },
      {
        name: 'order',
        run: (result: MappingResult) => {
          if (result.errors.length) throw mappingError(result, orderMapping);
          return result.output as Record<string, unknown>;
        },
      },
      {
        name: 'deliver',
        run: async (mapped: Record<string, unknown>, ctx: Ctx) => {
          const reference = String(mapped.PurchaseOrderNumber);
          const delivery = await deliverOnce({
            xref: ctx.xref,
            source: { system: 'xcart', entity: 'order', id: ctx.event.id },
            target: { system: 'sage300', entity: 'oe-order' },
            mayHaveRun: ctx.mayHaveRun,
            findByReference: async () => (await findOrdersByReference.call(opts.client(), { purchaseOrderNumber: reference }))[0]?.OrderNumber,
            create: async () => ({ id: (await createOrder.call(opts.client(), { order: mapped as never, lookupFirst: false })).order.OrderNumber }),
          });
          ctx.link(...delivery.link);
          return { action: delivery.action, targetId: delivery.targetId, reference };
        },
      },
    ],
  });
}
