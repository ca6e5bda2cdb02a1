// The legacy REST API add-on (XC\RESTAPI, X-Cart 5.0–5.4.1; specs §1.5), reduced to what 5.5 cannot
// do: tracking numbers. `admin.php?target=RESTAPI&_key=<key>&_path=ordertrackingnumber[/<id>]`,
// GET/POST/PUT/DELETE (or `_method=` / `X-HTTP-Method-Override`), input as `model[...]` form fields
// or `model=<JSON>`, a PUT body read as form-urlencoded, JSON out with `X-Result-Count`.
// Errors: wrong key 403; unknown entity 404; an exception 400 with `X-REST-Error: <message>`.
// Only the `ordertrackingnumber` entity is simulated; any other `_path` answers 404 here although a
// real 5.4 store would serve it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { XcartStore } from '../store.js';
import type { Storefront } from '../storefront.js';
import type { Order, TrackingNumber } from '../model.js';

export interface LegacyKeys {
  legacyKey: string;
  legacyReadKey: string;
}

class RestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** `model[a][b]=v` form fields → nested object; `model=<JSON>` → parsed JSON. */
function readModel(query: URLSearchParams, body: string | undefined, contentType: string): Record<string, unknown> {
  const sources = [query];
  if (body && !contentType.includes('json')) sources.push(new URLSearchParams(body));
  let model: Record<string, unknown> = {};
  for (const src of sources) {
    const json = src.get('model');
    if (json) {
      try {
        model = { ...model, ...(JSON.parse(json) as Record<string, unknown>) };
      } catch {
        throw new RestError(400, 'Model is not valid JSON');
      }
    }
    for (const [k, v] of src) {
      const m = /^model((?:\[[^\]]*\])+)$/.exec(k);
      if (!m) continue;
      const keys = [...m[1]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!);
      let cur = model;
      keys.forEach((key, i) => {
        if (i === keys.length - 1) cur[key] = v;
        else cur = (cur[key] ??= {}) as Record<string, unknown>;
      });
    }
  }
  if (body && contentType.includes('json')) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      model = { ...model, ...((parsed.model as Record<string, unknown>) ?? parsed) };
    } catch {
      throw new RestError(400, 'Body is not valid JSON');
    }
  }
  return model;
}

/**
 * `enabled()` is the sandbox feature `trackingModule: 'legacy-rest'`: a stock 5.5 store ships no
 * REST API module and no tracking-number resource, so by default admin.php answers as a store
 * without the module does (404, no JSON). With it on, every answer says it is an extension.
 */
export function registerLegacyRoutes(app: FastifyInstance, store: XcartStore, storefront: Storefront, keys: LegacyKeys, enabled: () => boolean = () => true): void {
  const lookup = (id: number) => {
    const hit = store.trackingById.get(id);
    return hit && hit.order.tracking_numbers.includes(hit.t) ? hit : undefined;
  };
  const out = (t: TrackingNumber, o: Order) => ({ tracking_id: t.id, value: t.value, creationDate: t.date, order: { order_id: o.id, orderNumber: o.order_number } });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(req.url, 'http://x');
    const q = url.searchParams;
    const send = (status: number, body: unknown, count?: number) => {
      reply.code(status).header('content-type', 'application/json; charset=utf-8');
      if (count !== undefined) reply.header('x-result-count', String(count));
      return reply.send(body === undefined ? '' : JSON.stringify(body));
    };
    if (!enabled()) return reply.code(404).header('content-type', 'text/html; charset=utf-8').send('<html><body><h1>Page not found</h1></body></html>');
    reply.header('x-sandbox-extension', 'XC-RESTAPI legacy module (X-Cart 5.0-5.4): not part of a stock X-Cart 5.5 store');
    try {
      if (q.get('target') !== 'RESTAPI') throw new RestError(404, 'Unknown target');
      const key = q.get('_key') ?? '';
      const writable = key === keys.legacyKey;
      if (!writable && key !== keys.legacyReadKey) return reply.code(403).header('x-rest-error', 'Wrong API key').send('');
      const override = String(q.get('_method') ?? req.headers['x-http-method-override'] ?? '').toUpperCase();
      const method = override && ['POST', 'PUT', 'DELETE', 'GET'].includes(override) ? override : req.method;
      if (method !== 'GET' && !writable) return reply.code(403).header('x-rest-error', 'Read-only API key').send('');
      const path = (q.get('_path') ?? '').replace(/^\/+|\/+$/g, '');
      const [entity, rawId] = path.split('/');
      if ((entity ?? '').toLowerCase() !== 'ordertrackingnumber') throw new RestError(404, `Entity ${entity} not found`);
      const id = rawId === undefined || rawId === '' ? null : Number(rawId);
      if (id !== null && !Number.isInteger(id)) throw new RestError(400, `Wrong id ${rawId}`);

      if (method === 'GET') {
        if (id === null || id === 0) {
          const all: unknown[] = [];
          for (const o of store.orderList) for (const t of o.tracking_numbers) all.push(out(t, o));
          return send(200, all, all.length);
        }
        const hit = lookup(id);
        if (!hit) return send(200, null, 0);
        return send(200, out(hit.t, hit.order), 1);
      }
      const model = readModel(q, typeof req.body === 'string' ? req.body : undefined, String(req.headers['content-type'] ?? ''));
      if (method === 'POST') {
        if (id !== null && id !== 0) throw new RestError(400, 'Use _path=ordertrackingnumber/0 to create');
        const ref = model.order as Record<string, unknown> | string | number | undefined;
        const orderId = Number(typeof ref === 'object' && ref !== null ? (ref.order_id ?? ref.id) : ref);
        const order = store.orders.get(orderId);
        if (!order) throw new RestError(400, `Order with ID ${String(orderId)} not found`);
        const value = String(model.value ?? '').trim();
        if (!value) throw new RestError(400, 'Tracking number value is empty');
        if (value.length > 255) throw new RestError(400, 'Tracking number value is too long');
        storefront.addTracking(order, value);
        const t = order.tracking_numbers[order.tracking_numbers.length - 1]!;
        return send(200, out(t, order), 1);
      }
      if (id === null || id === 0) throw new RestError(400, 'An id is required');
      const hit = lookup(id);
      if (!hit) throw new RestError(400, `Tracking number ${id} not found`);
      if (method === 'PUT') {
        const value = model.value === undefined ? hit.t.value : String(model.value).trim();
        if (!value) throw new RestError(400, 'Tracking number value is empty');
        hit.t.value = value;
        store.touchOrder(hit.order);
        storefront.onChange?.(hit.order, 'updated');
        return send(200, out(hit.t, hit.order), 1);
      }
      if (method === 'DELETE') {
        hit.order.tracking_numbers = hit.order.tracking_numbers.filter((t) => t !== hit.t);
        store.trackingById.delete(id);
        store.touchOrder(hit.order);
        storefront.onChange?.(hit.order, 'updated');
        return send(200, true, 1);
      }
      throw new RestError(400, `Method ${method} is not supported`);
    } catch (e) {
      if (e instanceof RestError) return reply.code(e.status).header('x-rest-error', e.message).header('content-type', 'application/json').send('');
      throw e;
    }
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: '/admin.php', handler });
}
