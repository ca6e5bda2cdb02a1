// Order operations and the order poller against the X-Cart sandbox over loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { start, type XcartSandbox } from '../../sandboxes/xcart/index.js';
import { SynclineError } from '../../core/errors.js';
import type { IncomingEvent } from '../../core/triggers.js';
import { createOrderPoller, getOrder, getOrderByNumber, listOrders, xcartConnector, type XcartClient, type XcartOrder } from './index.js';

let sb: XcartSandbox;
let client: XcartClient;
let n = 0;
const clientFor = (token: string, extra: Record<string, unknown> = {}) =>
  xcartConnector.createClient({ baseUrl: sb.url, token, ...extra }, { connection: `xcart-test-${++n}` });

beforeAll(async () => {
  sb = await start({ seed: 3 });
  client = clientFor(sb.credentials.readToken);
});
afterAll(() => sb.close());

async function expectError(p: Promise<unknown>, code: string, kind: string): Promise<SynclineError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SynclineError);
  expect((err as SynclineError).code).toBe(code);
  expect((err as SynclineError).kind).toBe(kind);
  return err as SynclineError;
}

describe('order operations', () => {
  it('getOrder returns the order with decimal-string money and UTC dates, matching the storefront', async () => {
    const placed = sb.storefront.placeOrder({ login: sb.store.catalog.customers[0]!.email, lines: [{ sku: sb.store.catalog.items[0]!.itemNo, qty: 2 }, { sku: sb.store.catalog.items[5]!.itemNo, qty: 1 }], currency: 'EUR', coupon: 'SAVE10', shippingMethod: 'Ground', paid: true });
    const o = await getOrder.call(client, { id: placed.id });
    expect(o.id).toBe(placed.id);
    expect(o.order_number).toBe(placed.order_number);
    expect(o.currency).toBe('EUR');
    expect(o.items.map((i) => i.sku)).toEqual([sb.store.catalog.items[0]!.itemNo, sb.store.catalog.items[5]!.itemNo]);
    expect(typeof o.total).toBe('string');
    expect(o.total).toBe(placed.total.toFixed(2).replace(/\.?0+$/, ''));
    // total = lines − coupon + shipping + tax, to the cent, in decimals.
    const surcharges = o.surcharges.reduce((a, s) => a.add(s.value), new Decimal(0));
    expect(new Decimal(o.sub_total).add(surcharges).toFixed(2)).toBe(new Decimal(o.total).toFixed(2));
    expect(o.surcharges.find((s) => s.type === 'discount')!.value.startsWith('-')).toBe(true);
    expect(o.create_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(o.payment_status?.code).toBe('P');
    expect(o.customer_id).toBe(sb.store.profilesByLogin.get(sb.store.catalog.customers[0]!.email.toLowerCase())!.id);
  });

  it('getOrderByNumber finds the same order; unknown ids and numbers are XCART_NOT_FOUND user errors', async () => {
    const placed = sb.storefront.placeOrder({ guestEmail: 'walk.in@example.org' });
    const byNumber = await getOrderByNumber.call(client, { orderNumber: placed.order_number });
    expect(byNumber.id).toBe(placed.id);
    expect(byNumber.customer_id).toBeNull();
    expect(byNumber.email).toBe('walk.in@example.org');
    await expectError(getOrder.call(client, { id: 99_999_999 }), 'XCART_NOT_FOUND', 'user');
    await expectError(getOrderByNumber.call(client, { orderNumber: 'NOPE1' }), 'XCART_NOT_FOUND', 'user');
  });

  it('bad input is a clear user error before any call', async () => {
    const e1 = await expectError(listOrders.call(client, { itemsPerPage: 500 }), 'XCART_VALIDATION', 'user');
    expect(e1.message).toMatch(/itemsPerPage/);
    await expectError(listOrders.call(client, { createdAfter: 'yesterday-ish' }), 'XCART_VALIDATION', 'user');
    await expectError(getOrder.call(client, { id: -4 }), 'XCART_VALIDATION', 'user');
    await expectError(getOrderByNumber.call(client, { orderNumber: '../admin' }), 'XCART_VALIDATION', 'user');
    await expectError(listOrders.call(client, { bogus: 1 } as never), 'XCART_VALIDATION', 'user');
  });

  it('a bad token is XCART_AUTH_FAILED', async () => {
    await expectError(listOrders.call(clientFor('not-a-token'), {}), 'XCART_AUTH_FAILED', 'user');
  });

  it('filters: creation date bounds, status codes, sort by lastRenewDate', async () => {
    sb.storefront.advanceClock(100);
    const t0 = sb.storefront.now();
    const a = sb.storefront.placeOrder({ paid: false, guestEmail: 'filter.me@example.org' });
    sb.storefront.advanceClock(10);
    const b = sb.storefront.placeOrder({ paid: true });
    const after = await listOrders.call(client, { createdAfter: t0, sort: 'date' });
    expect(after.items.map((o) => o.id)).toEqual([a.id, b.id]);
    const strictly = await listOrders.call(client, { createdStrictlyAfter: t0, sort: 'date' });
    expect(strictly.items.map((o) => o.id)).toEqual([b.id]);
    const before = await listOrders.call(client, { createdAfter: t0, createdBefore: new Date(t0 * 1000), sort: 'date' });
    expect(before.items.map((o) => o.id)).toEqual([a.id]);
    const queued = await listOrders.call(client, { createdAfter: t0, paymentStatus: 'Q' });
    expect(queued.items.map((o) => o.id)).toEqual([a.id]);
    const byLogin = await listOrders.call(client, { login: 'filter.me@' });
    expect(byLogin.items.map((o) => o.id)).toEqual([a.id]);
    const either = await listOrders.call(client, { createdAfter: t0, paymentStatus: ['Q', 'P'] });
    expect(either.items.map((o) => o.id).sort()).toEqual([a.id, b.id].sort());
    sb.storefront.advanceClock(5);
    sb.storefront.setAdminNotes(a.id, 'call customer');
    const renew = await listOrders.call(client, { sort: 'lastRenewDate', direction: 'desc', itemsPerPage: 2 });
    expect(renew.items[0]!.id).toBe(a.id);
  });

  it('pages through more than 1,000 orders without gaps or repeats', async () => {
    sb.storefront.advanceClock(60);
    const t0 = sb.storefront.now();
    const placed = sb.storefront.placeOrders(1_234);
    const seen: number[] = [];
    for (let page = 1; ; page++) {
      const res = await listOrders.call(client, { createdAfter: t0, sort: 'date', page, itemsPerPage: 100 });
      seen.push(...res.items.map((o) => o.id));
      if (!res.mayHaveMore) break;
    }
    expect(seen.length).toBe(1_234);
    expect(new Set(seen).size).toBe(1_234);
    expect(seen).toEqual(placed.map((o) => o.id));
  });
});

describe('order poller', () => {
  /** Runs polls until the source says there is no more, keeping the cursor like the engine would. */
  async function drain(poller: ReturnType<typeof createOrderPoller>, cursor: string | null, sink: IncomingEvent[]): Promise<string | null> {
    for (let i = 0; i < 10_000; i++) {
      const r = await poller.poll(cursor);
      sink.push(...r.events);
      cursor = r.cursor;
      if (!r.more) return cursor;
    }
    throw new Error('poller never settled');
  }

  it('emits every order once, then only changes, each with a higher version', async () => {
    const local = await start({ seed: 5, timeScale: 0 }); // frozen clock: "the same second" is exact
    try {
      const c = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.readToken, itemsPerPage: 25 }, { connection: 'xcart-poller-1' });
      local.storefront.placeOrders(140); // all in the same second: 140 orders > 5 pages of 25
      const poller = createOrderPoller(c, { id: 'xc:orders', maxPagesPerPoll: 2 });
      const events: IncomingEvent[] = [];
      let cursor = await drain(poller, null, events);
      expect(events.map((e) => e.id).sort()).toEqual([...local.store.orders.keys()].map(String).sort());
      expect(new Set(events.map((e) => e.id)).size).toBe(140);
      expect(events.every((e) => e.system === 'xcart' && e.entity === 'order' && /^\d{12}\.\d{4}$/.test(e.version))).toBe(true);

      // Nothing changed: nothing emitted.
      const quiet: IncomingEvent[] = [];
      cursor = await drain(poller, cursor, quiet);
      expect(quiet).toEqual([]);

      // More orders in the very same second as the boundary, plus an update in that second.
      const late = local.storefront.placeOrders(3, { paid: false });
      local.storefront.pay(late[0]!.id);
      const firstOrder = local.store.orderList[0]!;
      local.storefront.setAdminNotes(firstOrder.id, 'gift wrap');
      // The last sweep read that second in this same server second: the first poll in a later one reads it again.
      local.storefront.advanceClock(1);
      const next: IncomingEvent[] = [];
      cursor = await drain(poller, cursor, next);
      const ids = next.map((e) => e.id);
      expect(ids.filter((id) => late.some((o) => String(o.id) === id)).sort()).toEqual(late.map((o) => String(o.id)).sort());
      expect(ids).toContain(String(firstOrder.id));
      const upd = next.find((e) => e.id === String(firstOrder.id))!;
      const orig = events.find((e) => e.id === String(firstOrder.id))!;
      expect(upd.version > orig.version).toBe(true);
      expect((upd.payload as XcartOrder).admin_notes).toBe('gift wrap');

      // A second change to the same order within the same second is still seen, with a higher version:
      // not by a poll in the server second of the sweep that read the first (it reads the probe only),
      // by the first poll in a later one.
      local.storefront.setAdminNotes(firstOrder.id, 'gift wrap, red paper');
      const once: IncomingEvent[] = [];
      cursor = await drain(poller, cursor, once);
      expect(once.map((e) => e.id)).toEqual([String(firstOrder.id)]);
      expect(once[0]!.version > upd.version).toBe(true);
      local.storefront.setAdminNotes(firstOrder.id, 'gift wrap, blue paper');
      const sameSecond: IncomingEvent[] = [];
      cursor = await drain(poller, cursor, sameSecond);
      expect(sameSecond).toEqual([]);
      local.storefront.advanceClock(1);
      const again: IncomingEvent[] = [];
      cursor = await drain(poller, cursor, again);
      expect(again.map((e) => e.id)).toEqual([String(firstOrder.id)]);
      expect(again[0]!.version > once[0]!.version).toBe(true);
      expect((again[0]!.payload as XcartOrder).admin_notes).toBe('gift wrap, blue paper');

      // A later second: a ship + a refund, both found.
      local.storefront.advanceClock(2);
      local.storefront.ship(late[0]!.id, '1Z999AA10123456784');
      local.storefront.refund(firstOrder.id);
      const later: IncomingEvent[] = [];
      await drain(poller, cursor, later);
      expect(later.map((e) => e.id).sort()).toEqual([String(late[0]!.id), String(firstOrder.id)].sort());
      const shipped = later.find((e) => e.id === String(late[0]!.id))!.payload as XcartOrder;
      expect(shipped.shipping_status?.code).toBe('S');
      expect(shipped.tracking_numbers.map((t) => t.value)).toEqual(['1Z999AA10123456784']);
    } finally {
      await local.close();
    }
  });

  it.each([
    ['re-reading the newest second', null],
    ['closing seconds by the server Date at once', 0],
  ] as const)('under concurrent creates and updates during polls, misses nothing and emits no state twice (%s)', async (_, skew) => {
    const local = await start({ seed: 9 });
    try {
      const c = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.readToken, itemsPerPage: 7 }, { connection: 'xcart-poller-2' });
      local.storefront.placeOrders(50, { paid: false });
      const poller = createOrderPoller(c, { id: 'xc:orders', maxPagesPerPoll: 3, serverDateSkewS: skew });
      const events: IncomingEvent[] = [];
      let cursor: string | null = null;
      let stop = false;
      let mutations = 0;
      // The shopper side runs between the poller's HTTP calls (same event loop, real interleaving).
      const shopper = (async () => {
        let i = 0;
        while (!stop) {
          i++;
          const all = local.store.orderList;
          if (i % 3 === 0) local.storefront.placeOrder({ paid: false });
          else {
            const o = all[(i * 7919) % all.length]!;
            local.storefront.setAdminNotes(o.id, `note ${i}`);
          }
          if (i % 17 === 0) local.storefront.advanceClock(skew === 0 ? 2 : 1);
          mutations++;
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      for (let k = 0; k < 60; k++) {
        const r = await poller.poll(cursor);
        events.push(...r.events);
        cursor = r.cursor;
      }
      stop = true;
      await shopper;
      // A change in the second of the last sweep, within that same server second, is the first later poll's.
      local.storefront.advanceClock(1);
      cursor = await drain(poller, cursor, events);
      expect(mutations).toBeGreaterThan(50);

      // Never the same (id, version) twice, and never the same state twice for one order.
      const keys = events.map((e) => `${e.id}@${e.version}`);
      expect(new Set(keys).size).toBe(keys.length);
      const states = events.map((e) => `${e.id}:${JSON.stringify(e.payload)}`);
      expect(new Set(states).size).toBe(states.length);
      // Every order seen, and the last event of each carries its final state.
      const last = new Map<string, IncomingEvent>();
      for (const e of events) {
        const prev = last.get(e.id);
        if (prev) expect(e.version > prev.version).toBe(true);
        last.set(e.id, e);
      }
      expect([...last.keys()].sort()).toEqual([...local.store.orders.keys()].map(String).sort());
      for (const [id, e] of last) {
        const current = await getOrder.call(c, { id: Number(id) });
        expect(e.payload).toEqual(current);
      }
    } finally {
      await local.close();
    }
  });

  it('closes a second once the server clock has moved past it, and still finds later changes', async () => {
    const local = await start({ seed: 17, timeScale: 0 }); // frozen clock: only advanceClock moves it
    try {
      const c = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.readToken, itemsPerPage: 10 }, { connection: 'xcart-poller-4' });
      local.storefront.placeOrders(35, { paid: false }); // one second, 4 pages
      const top = local.storefront.now();
      const poller = createOrderPoller(c, { id: 'xc:orders', serverDateSkewS: 1 });
      let r = await poller.poll(null);
      expect(r.events).toHaveLength(35);
      expect(JSON.parse(r.cursor!).w).toBe(top); // the server is still in that second
      local.storefront.advanceClock(2); // now = top + 2: not yet past top + 1 + skew
      r = await poller.poll(r.cursor);
      expect(JSON.parse(r.cursor!).w).toBe(top);
      local.storefront.advanceClock(1); // now = top + 3: second `top` is closed
      r = await poller.poll(r.cursor);
      expect(r.events).toEqual([]);
      const closed = JSON.parse(r.cursor!);
      expect([closed.w, closed.b]).toEqual([top + 1, {}]);
      // A change now lands after the closed second and is found.
      local.storefront.pay(local.store.orderList[3]!.id);
      r = await poller.poll(r.cursor);
      expect(r.events.map((e) => e.id)).toEqual([String(local.store.orderList[3]!.id)]);
      expect(r.events[0]!.version).toBe(`${String(top + 3).padStart(12, '0')}.0000`);
    } finally {
      await local.close();
    }
  });

  it('once its seconds are closed, a quiet poll reads a few orders, not the bulk\'s last page twice (issue 12)', async () => {
    const local = await start({ seed: 19, timeScale: 0 });
    try {
      const c = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.readToken, itemsPerPage: 50 }, { connection: 'xcart-poller-5' });
      local.storefront.placeOrders(120, { paid: false }); // one second, the last page 20 orders
      const poller = createOrderPoller(c, { id: 'xc:orders', serverDateSkewS: 1 });
      let listed = 0;
      const request = c.http.request.bind(c.http);
      c.http.request = (async (req: Parameters<typeof request>[0]) => {
        const res = await request(req);
        if (Array.isArray(res.body)) listed += res.body.length;
        return res;
      }) as typeof request;
      let r = await poller.poll(null);
      expect(r.events).toHaveLength(120);
      local.storefront.advanceClock(3); // the bulk's second is closed for both passes
      r = await poller.poll(r.cursor);
      expect(r.events).toEqual([]);
      listed = 0;
      r = await poller.poll(r.cursor);
      expect(r.events).toEqual([]);
      // Pass A asks after the closed second (nothing); pass B's first read is its short probe.
      expect(listed).toBeLessThanOrEqual(5);
      // And a change or a new order is still found.
      local.storefront.pay(local.store.orderList[7]!.id);
      const fresh = local.storefront.placeOrder({ paid: false });
      r = await poller.poll(r.cursor);
      expect(r.events.map((e) => e.id).sort()).toEqual([String(local.store.orderList[7]!.id), String(fresh.id)].sort());
    } finally {
      await local.close();
    }
  });

  it('re-reads the open watermark second once the server clock has moved on (w+1, w+2, w+4, closed at w+7), and finds a change in it then (issue 12)', async () => {
    const local = await start({ seed: 23, timeScale: 0 });
    try {
      const c = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.readToken, itemsPerPage: 50 }, { connection: 'xcart-poller-6' });
      local.storefront.placeOrders(120, { paid: false }); // one second, still open (skew 5)
      const poller = createOrderPoller(c, { id: 'xc:orders' });
      let swept = 0; // orders pass B lists
      const request = c.http.request.bind(c.http);
      c.http.request = (async (req: Parameters<typeof request>[0]) => {
        const res = await request(req);
        if (Array.isArray(res.body) && req.query?.['order[lastRenewDate]']) swept += res.body.length;
        return res;
      }) as typeof request;
      let r = await poller.poll(null);
      expect(r.events).toHaveLength(120);
      const first = r.events.find((e) => e.id === String(local.store.orderList[9]!.id))!;
      swept = 0;
      r = await poller.poll(r.cursor);
      expect([r.events, swept]).toEqual([[], 5]); // the probe only
      local.storefront.setAdminNotes(local.store.orderList[9]!.id, 'call first'); // lands in that very second
      r = await poller.poll(r.cursor);
      expect([r.events, swept]).toEqual([[], 10]);
      local.storefront.advanceClock(1);
      swept = 0;
      r = await poller.poll(r.cursor);
      expect(swept).toBeGreaterThanOrEqual(120); // the whole second, read again
      expect(r.events.map((e) => e.id)).toEqual([first.id]);
      expect(r.events[0]!.version > first.version).toBe(true);
      expect((r.events[0]!.payload as XcartOrder).admin_notes).toBe('call first');
      // Then at w+2, w+4 and, the second closing (skew 5), w+7; the probe only in between.
      const sweptAt = async (ahead: number) => {
        local.storefront.advanceClock(ahead);
        swept = 0;
        r = await poller.poll(r.cursor);
        expect(r.events).toEqual([]);
        return swept;
      };
      expect([await sweptAt(1), await sweptAt(1), await sweptAt(1), await sweptAt(1), await sweptAt(1), await sweptAt(1)]).toEqual([125, 5, 125, 5, 5, 125]); // probe + the second
      expect(JSON.parse(r.cursor!).w).toBe(Number(first.version.split('.')[0]) + 1);
    } finally {
      await local.close();
    }
  });

  it('with `since`, older orders are not replayed but their later changes are', async () => {
    const local = await start({ seed: 13 });
    try {
      const c = xcartConnector.createClient({ baseUrl: local.url, token: local.credentials.readToken }, { connection: 'xcart-poller-3' });
      const old = local.storefront.placeOrders(30, { paid: false });
      local.storefront.advanceClock(10);
      const poller = createOrderPoller(c, { id: 'xc:orders', since: local.storefront.now() });
      const first = await poller.poll(null);
      expect(first.events).toEqual([]);
      local.storefront.advanceClock(1);
      local.storefront.pay(old[4]!.id);
      const fresh = local.storefront.placeOrder({ paid: false });
      const next = await poller.poll(first.cursor);
      expect(next.events.map((e) => e.id).sort()).toEqual([String(old[4]!.id), String(fresh.id)].sort());
      expect((next.events.find((e) => e.id === String(old[4]!.id))!.payload as XcartOrder).payment_status?.code).toBe('P');
    } finally {
      await local.close();
    }
  });

  it('rejects a cursor it did not write', async () => {
    const poller = createOrderPoller(client, { id: 'x' });
    await expectError(poller.poll('{"v":2}'), 'XCART_BAD_CURSOR', 'user');
    await expectError(poller.poll('garbage'), 'XCART_BAD_CURSOR', 'user');
  });
});
