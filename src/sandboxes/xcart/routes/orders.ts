// /api/orders and its sub-resources (XC55 `XLite\Model\Order` @ApiResource, specs §1.3).
// Orders are read-only in the 5.5 API; only their payment and shipping status can be PUT.
import type { FastifyInstance } from 'fastify';
import { orderOutput, statusRef, transactionOutput, isoDate, type Order } from '../model.js';
import type { XcartStore } from '../store.js';
import type { Storefront } from '../storefront.js';
import { ApiError, jsonBody, pageParams, parseFilterDate, sendCollection, sendItem, type Format } from '../http.js';

export interface OrderQuery {
  dateFrom: number;
  dateTo: number;
  payment: Set<string> | null;
  shipping: Set<string> | null;
  login: string | null;
  sort: { key: 'id' | 'date' | 'lastRenewDate'; dir: 'asc' | 'desc' };
}

/** Reads the filters the real resource declares; unknown parameters are ignored, as API Platform does. */
export function parseOrderQuery(q: Record<string, unknown>): OrderQuery {
  const str = (v: unknown): string | undefined => (Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v));
  let dateFrom = -Infinity;
  let dateTo = Infinity;
  // IntegerDateFilter: the value becomes a Unix timestamp compared with the integer `date`. An
  // unparseable value is ignored (API Platform's DateFilter logs and skips it).
  const bound = (name: string, apply: (t: number) => void) => {
    const v = str(q[`date[${name}]`]);
    if (v === undefined) return;
    const t = parseFilterDate(v);
    if (t !== null) apply(t);
  };
  bound('after', (t) => (dateFrom = Math.max(dateFrom, t)));
  bound('strictly_after', (t) => (dateFrom = Math.max(dateFrom, t + 1)));
  bound('before', (t) => (dateTo = Math.min(dateTo, t)));
  bound('strictly_before', (t) => (dateTo = Math.min(dateTo, t - 1)));
  const codes = (name: string): Set<string> | null => {
    const v = q[name] ?? q[`${name}[]`];
    if (v === undefined) return null;
    return new Set((Array.isArray(v) ? v : [v]).map(String));
  };
  let sort: OrderQuery['sort'] = { key: 'id', dir: 'asc' };
  // The first order[...] parameter in the query string wins; ties fall back to the id.
  for (const [k, v] of Object.entries(q)) {
    const m = /^order\[(date|lastRenewDate)\]$/.exec(k);
    if (!m) continue;
    const dir = String(str(v)).toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') continue;
    sort = { key: m[1] as 'date' | 'lastRenewDate', dir };
    break;
  }
  const login = str(q['profile.login']);
  return { dateFrom, dateTo, payment: codes('paymentStatus.code'), shipping: codes('shippingStatus.code'), login: login ? login.toLowerCase() : null, sort };
}

/**
 * Walks the index that matches the sort, skipping `offset` matches and taking `limit`. Stops early
 * unless a total is wanted (Hydra), so the top page of 100,000 orders costs microseconds.
 */
export function queryOrders(store: XcartStore, q: OrderQuery, offset: number, limit: number, wantTotal: boolean): { items: Order[]; hasNext: boolean; total?: number } {
  const match = (o: Order) =>
    o.date >= q.dateFrom && o.date <= q.dateTo &&
    (!q.payment || q.payment.has(o.payment_status)) &&
    (!q.shipping || q.shipping.has(o.shipping_status)) &&
    (!q.login || o.email.toLowerCase().includes(q.login));
  let list: Order[];
  let lo = 0;
  let hi: number;
  if (q.sort.key === 'date') {
    list = store.byDate.list;
    lo = q.dateFrom === -Infinity ? 0 : store.byDate.lowerBound(q.dateFrom);
    hi = q.dateTo === Infinity ? list.length : store.byDate.upperBound(q.dateTo);
  } else {
    list = q.sort.key === 'lastRenewDate' ? store.byRenew.list : store.orderList;
    hi = list.length;
  }
  const items: Order[] = [];
  let matched = 0;
  let hasNext = false;
  const step = q.sort.dir === 'asc' ? 1 : -1;
  for (let i = step === 1 ? lo : hi - 1; step === 1 ? i < hi : i >= lo; i += step) {
    const o = list[i]!;
    if (!match(o)) continue;
    if (matched >= offset && items.length < limit) items.push(o);
    else if (matched >= offset + limit) {
      hasNext = true;
      if (!wantTotal) break;
    }
    matched++;
  }
  return wantTotal ? { items, hasNext, total: matched } : { items, hasNext };
}

// Serialised on every read, not cached on the order: 10,000 cached answers held 35 MB for the
// whole of a demo run, and an order is read only a few times (issue 12).
export function orderJson(store: XcartStore, o: Order): string {
  const custom = (kind: 'payment' | 'shipping', code: string) => store.customStatuses[kind].get(code);
  return JSON.stringify(orderOutput(o, custom));
}

export function registerOrderRoutes(app: FastifyInstance, store: XcartStore, storefront: Storefront, fmt: (req: unknown) => Format): void {
  const iri = (id: number) => `/api/orders/${id}`;
  const find = (raw: string): Order => {
    const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
    const o = store.orders.get(id);
    if (!o) throw new ApiError(404, 'Not Found');
    return o;
  };

  app.get('/api/orders', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const page = pageParams(q);
    const format = fmt(req);
    const query = parseOrderQuery(q);
    const r = queryOrders(store, query, (page.page - 1) * page.perPage, page.perPage, format === 'jsonld');
    return sendCollection(reply, req, format, {
      iri, type: 'Order', context: '/api/contexts/Order', page, hasNext: r.hasNext, total: r.total,
      items: r.items.map((o) => ({ id: o.id, json: orderJson(store, o) })),
    });
  });

  app.get<{ Params: { id: string } }>('/api/orders/:id', async (req, reply) => {
    const o = find(req.params.id);
    return sendItem(reply, fmt(req), orderJson(store, o), iri(o.id), 'Order', '/api/contexts/Order');
  });

  // Order numbers match `\w+` in the route requirements.
  app.get<{ Params: { n: string } }>('/api/orders/by_number/:n', async (req, reply) => {
    if (!/^\w+$/.test(req.params.n)) throw new ApiError(404, 'Not Found');
    const o = store.ordersByNumber.get(req.params.n);
    if (!o) throw new ApiError(404, 'Not Found');
    return sendItem(reply, fmt(req), orderJson(store, o), iri(o.id), 'Order', '/api/contexts/Order');
  });

  // The status sub-resources have their own data providers (XC55 OrderPaymentStatus /
  // OrderShippingStatus ItemDataProvider): a missing order is InvalidArgumentException → 400
  // "Order with ID N not found", not the 404 of /api/orders/{id}.
  const findForStatus = (raw: string): Order => {
    if (!/^\d+$/.test(raw)) throw new ApiError(404, 'Not Found');
    const o = store.orders.get(Number(raw));
    if (!o) throw new ApiError(400, `Order with ID ${Number(raw)} not found`);
    return o;
  };

  for (const kind of ['payment', 'shipping'] as const) {
    const path = `/api/orders/:id/${kind}_status`;
    const type = kind === 'payment' ? 'OrderPaymentStatus' : 'OrderShippingStatus';
    const render = (o: Order) => {
      // XC55's provider calls getId() on the order's status: an order without one is a PHP error.
      if (o.nullFields?.includes(`${kind}_status`)) throw new Error(`Call to a member function getId() on null`);
      const code = kind === 'payment' ? o.payment_status : o.shipping_status;
      const ref = statusRef(kind, code);
      const custom = store.customStatuses[kind].get(code);
      return JSON.stringify(custom ? { ...ref, name: custom, customer_name: custom } : ref);
    };
    app.get<{ Params: { id: string } }>(path, async (req, reply) => {
      const o = findForStatus(req.params.id);
      return sendItem(reply, fmt(req), render(o), `${iri(o.id)}/${kind}_status`, type, `/api/contexts/${type}`);
    });
    app.put<{ Params: { id: string } }>(path, async (req, reply) => {
      // Read before the body, as API Platform's ReadListener runs before deserialisation.
      const o = findForStatus(req.params.id);
      const body = jsonBody(req);
      const code = body.code;
      if (typeof code !== 'string' || code === '') throw new ApiError(422, 'code: This value should not be blank.', [{ propertyPath: 'code', message: 'This value should not be blank.' }]);
      if (code.length > 4) throw new ApiError(422, 'code: This value is too long. It should have 4 characters or less.', [{ propertyPath: 'code', message: 'This value is too long. It should have 4 characters or less.' }]);
      if (kind === 'payment') storefront.setPaymentStatus(o, code);
      else storefront.setShippingStatus(o, code);
      return sendItem(reply, fmt(req), render(o), `${iri(o.id)}/${kind}_status`, type, `/api/contexts/${type}`);
    });
  }

  // Sub-resources are collections of the order's own rows, paginated like any collection.
  const sub = <T extends { id: number }>(name: string, type: string, rows: (o: Order) => T[], out: (row: T) => unknown) => {
    app.get<{ Params: { id: string } }>(`/api/orders/:id/${name}`, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const page = pageParams(q);
      const o = find(req.params.id);
      const all = rows(o);
      const start = (page.page - 1) * page.perPage;
      const items = all.slice(start, start + page.perPage);
      return sendCollection(reply, req, fmt(req), {
        iri: (id) => `/api/orders/${o.id}/${name}/${id}`, type, context: `/api/contexts/${type}`, page,
        hasNext: start + page.perPage < all.length, total: all.length,
        items: items.map((r) => ({ id: r.id, json: JSON.stringify(out(r)) })),
      });
    });
  };
  sub('details', 'OrderDetail', (o) => o.details, (d) => ({ id: d.id, name: d.name, value: d.value }));
  sub('history', 'OrderHistoryEvent', (o) => o.history, (h) => ({ id: h.id, date: isoDate(h.date), code: h.code, description: h.description, comment: h.comment, author_name: h.author_name }));
  sub('payment_transactions', 'PaymentTransaction', (o) => o.payment_transactions, transactionOutput);
}
