// Marketplace simulation over HTTP (`/__sandbox/...`) for tests and the demo: buyers order, Amazon
// ships, customers return, Amazon settles; plus clock, token and rate-limit controls.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AmazonSandbox } from '../context.js';
import { USAGE_PLANS } from '../limits.js';
import type { Channel, OrderStatus } from '../marketplace.js';

type Body = Record<string, any>;

async function attempt(reply: FastifyReply, fn: () => unknown): Promise<unknown> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RangeError) return reply.code(400).send({ error: e.message });
    throw e;
  }
}

export function registerAdmin(app: FastifyInstance, sb: AmazonSandbox): void {
  const m = sb.market;
  app.get('/__sandbox/state', async () => ({
    now: new Date(sb.clock.now()).toISOString(),
    timeScale: sb.clock.scale,
    sellerId: sb.creds.sellerId,
    orders: m.orders.length,
    listings: m.listings.size,
    settlements: m.groups.filter((g) => g.status === 'Closed').length,
    rateLimits: sb.buckets.enabled,
    stats: sb.stats,
    queues: Object.fromEntries([...sb.queues].map(([n, q]) => [n, { messages: q.messages.length, deleted: q.deleted }])),
  }));
  app.get('/__sandbox/listings', async () => [...m.listings.values()].map((l) => ({ sku: l.sku, asin: l.asin, channel: l.channel, price: l.price, mfnQuantity: l.mfnQuantity, fulfillable: l.fba.fulfillable })));
  app.post('/__sandbox/orders', async (req, reply) =>
    attempt(reply, () => {
      const b = (req.body ?? {}) as Body;
      const o = m.placeOrder({ channel: b.channel as Channel | undefined, lines: b.lines, purchaseDate: b.purchaseDate ? Date.parse(b.purchaseDate) : undefined, status: b.status as OrderStatus | undefined });
      return { AmazonOrderId: o.id, status: o.status, channel: o.channel };
    }),
  );
  app.post('/__sandbox/orders/generate', async (req, reply) =>
    attempt(reply, () => {
      const b = (req.body ?? {}) as Body;
      const count = Number(b.count ?? 100);
      if (!Number.isInteger(count) || count < 1 || count > 200_000) throw new RangeError('count must be an integer from 1 to 200000');
      const now = sb.clock.now();
      const to = b.to ? Date.parse(b.to) : now - 10 * 60_000;
      const from = b.from ? Date.parse(b.from) : to - 86_400_000;
      if (!(from < to)) throw new RangeError('from must be before to');
      const orders = m.generateOrders(count, { from, to });
      return { generated: orders.length, first: orders[0]?.id, last: orders.at(-1)?.id };
    }),
  );
  app.post('/__sandbox/orders/:id/ship', async (req, reply) => attempt(reply, () => ({ AmazonOrderId: m.shipOrder((req.params as Body).id).id, status: 'Shipped' })));
  app.post('/__sandbox/orders/:id/cancel', async (req, reply) => attempt(reply, () => ({ AmazonOrderId: m.cancelOrder((req.params as Body).id).id, status: 'Canceled' })));
  app.post('/__sandbox/orders/:id/return', async (req, reply) =>
    attempt(reply, () => {
      const b = (req.body ?? {}) as Body;
      return { postings: m.returnItems((req.params as Body).id, b.sku, b.quantity, undefined, b.disposition) };
    }),
  );
  app.post('/__sandbox/inventory/receive', async (req, reply) =>
    attempt(reply, () => {
      const b = (req.body ?? {}) as Body;
      const l = m.receiveFba(String(b.sku), Number(b.quantity));
      return { sku: l.sku, fulfillable: l.fba.fulfillable };
    }),
  );
  app.post('/__sandbox/inventory/reimburse', async (req, reply) => attempt(reply, () => m.reimburse(String((req.body as Body)?.sku), Number((req.body as Body)?.quantity ?? 1))));
  app.post('/__sandbox/settlements', async (req, reply) =>
    attempt(reply, () => {
      const b = (req.body ?? {}) as Body;
      if (b.syntheticLines !== undefined) {
        const n = Number(b.syntheticLines);
        if (!Number.isInteger(n) || n < 1 || n > 20_000_000) throw new RangeError('syntheticLines must be an integer from 1 to 20000000');
        const r = sb.publishSyntheticSettlement(n);
        return { reportId: r.reportId, reportDocumentId: r.reportDocumentId, settlementId: r.settlementId, total: r.total };
      }
      const g = m.closeSettlement();
      const r = [...sb.reports.values()].find((x) => x.settlement === g)!;
      return { reportId: r.reportId, reportDocumentId: r.reportDocumentId, settlementId: g.settlementId, total: g.total, lines: g.postings.length };
    }),
  );
  app.post('/__sandbox/clock/advance', async (req, reply) =>
    attempt(reply, () => {
      const s = Number((req.body as Body)?.seconds);
      if (!(s > 0)) throw new RangeError('seconds must be > 0');
      sb.clock.advance(s * 1000);
      m.tick();
      return { now: new Date(sb.clock.now()).toISOString() };
    }),
  );
  app.put('/__sandbox/simulation', async (req, reply) =>
    attempt(reply, () => {
      const b = (req.body ?? {}) as Body;
      const perHour = Number(b.ordersPerHour ?? 0);
      const returnRate = b.returnRate === undefined ? undefined : Number(b.returnRate);
      if (!(perHour >= 0) || (returnRate !== undefined && !(returnRate >= 0 && returnRate <= 1))) throw new RangeError('ordersPerHour must be ≥ 0 and returnRate within [0, 1]');
      m.simulate({ ordersPerHour: perHour, returnRate });
      return { ordersPerHour: perHour };
    }),
  );
  app.post('/__sandbox/tokens/expire', async () => ({ expired: sb.expireTokens() }));
  app.put('/__sandbox/rate-limits', async (req, reply) =>
    attempt(reply, () => {
      const b = (req.body ?? {}) as Body;
      if (b.enabled !== undefined) sb.buckets.enabled = Boolean(b.enabled);
      for (const [op, plan] of Object.entries((b.overrides ?? {}) as Record<string, { rate: number; burst: number }>)) {
        if (!(plan.rate > 0 && plan.burst >= 1)) throw new RangeError(`bad plan for ${op}`);
        sb.buckets.override(op, plan);
      }
      if (b.reset) sb.buckets.reset();
      return { enabled: sb.buckets.enabled };
    }),
  );
  app.get('/__sandbox/rate-limits', async () => ({ enabled: sb.buckets.enabled, plans: USAGE_PLANS, timeScale: sb.clock.scale }));
}
