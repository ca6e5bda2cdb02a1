// The flow runtime inside the real engine (SQLite file, durable queue), with stubbed connector calls:
// a retry resumes at the failed step; `each` skips the items already done; two first orders of one
// new buyer arriving together create one customer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../core/db/database.js';
import { Engine } from '../core/engine.js';
import { transientError } from '../core/errors.js';
import { compileFlow } from './compile.js';
import { parseFlowDocument } from './document.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dirs: string[] = [];
const engines: Array<{ engine: Engine; store: Store }> = [];
afterEach(async () => {
  for (const { engine, store } of engines.splice(0)) {
    await engine.stop();
    await store.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function run(doc: string, call: (ref: string, input: any) => Promise<unknown>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'flow-runtime-'));
  dirs.push(dir);
  const store = await openStore({ dialect: 'sqlite', file: path.join(dir, 's.db') });
  const flow = await compileFlow({ doc: parseFlowDocument(doc), bindings: { shop: { id: 'shop', system: 'xcart', client: null }, erp: { id: 'erp', system: 'sage300', client: null } }, db: store.db, call: (ref, input) => call(ref, input) });
  // Retries at once (the backoff itself is tested in core/policies).
  const engine = new Engine({ store, flows: [flow], worker: { concurrency: 8, pollMs: 5, backoff: { baseMs: 1, capMs: 5 } } });
  engines.push({ engine, store });
  engine.start();
  return { engine, store };
}

async function until(what: string, fn: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

const ORDER_FLOW = `
id: t-orders
version: 1
roles: { shop: xcart, erp: sage300 }
trigger: { kind: webhook, role: shop, entity: order }
steps:
  - id: customer
    kind: lookup
    key: "$lowercase(event.payload.email)"
    source: { entity: customer }
    target: { role: erp, entity: ar-customer }
    find: { operation: erp.findCustomerByEmail, input: "{ 'email': key }", id: "$[0].CustomerNumber" }
    create: { operation: erp.createCustomer, input: "{ 'CustomerNumber': 'W' & $string(event.payload.customer_id), 'CustomerName': 'X', 'Email': key }", id: customer.CustomerNumber }
  - id: deliver
    kind: deliver
    operation: erp.getOrder
    input: "{ 'orderUniquifier': 1 }"
    target: { role: erp, entity: oe-order }
    targetId: "'ORD-' & $string($$)"
`;

describe('flow runtime in the engine', () => {
  it('a retry resumes at the step that failed: the customer is not looked up again', async () => {
    const calls: string[] = [];
    let failOnce = true;
    const { engine } = await run(ORDER_FLOW, async (ref) => {
      calls.push(ref);
      if (ref === 'erp.findCustomerByEmail') return [{ CustomerNumber: 'C1' }];
      if (failOnce) {
        failOnce = false;
        throw transientError('HTTP_SERVER_ERROR', 'Sage 300 answered 503');
      }
      return 7;
    });
    await engine.intake([{ system: 'xcart', entity: 'order', id: '1', version: '000000000001.0000', payload: { email: 'A@x.com', customer_id: 5 } }], { connection: 'shop' });
    await until('succeeded', async () => (await engine.runs.list({ status: 'succeeded' })).length === 1);
    expect(calls).toEqual(['erp.findCustomerByEmail', 'erp.getOrder', 'erp.getOrder']);
    const [ok] = await engine.runs.list({ status: 'succeeded' });
    const detail = await engine.runs.get(ok!.id);
    expect(detail?.steps?.map((s) => [s.step, s.status])).toEqual([['customer', 'skipped'], ['deliver', 'ok']]);
    expect(detail?.steps?.[0]?.output).toMatchObject({ resumed: expect.any(String) });
    expect(await engine.xref.find({ system: 'xcart', entity: 'order', id: '1' }, { system: 'sage300', entity: 'oe-order' })).toBe('ORD-7');
  });

  it('two first orders of one new buyer at the same moment → one customer created', async () => {
    const created: string[] = [];
    let customers: Array<{ CustomerNumber: string }> = [];
    const { engine } = await run(ORDER_FLOW, async (ref, input) => {
      if (ref === 'erp.findCustomerByEmail') return customers;
      if (ref === 'erp.createCustomer') {
        await sleep(50); // a slow ERP widens the race
        created.push(input.CustomerNumber);
        customers = [{ CustomerNumber: input.CustomerNumber }];
        return { created: true, customer: { CustomerNumber: input.CustomerNumber } };
      }
      return 1;
    });
    await engine.intake(
      [1, 2, 3].map((i) => ({ system: 'xcart', entity: 'order', id: String(i), version: '000000000001.0000', payload: { email: 'new@x.com', customer_id: 9 } })),
      { connection: 'shop' },
    );
    await until('3 succeeded', async () => (await engine.runs.list({ status: 'succeeded' })).length === 3);
    expect(created).toEqual(['W9']);
  });

  it('each: a retry skips the items already done', async () => {
    const doc = `
id: t-each
version: 1
roles: { shop: xcart, erp: sage300 }
trigger: { kind: webhook, role: erp, entity: stock }
steps:
  - id: push
    kind: each
    items: event.payload.skus
    key: item
    steps:
      - id: set
        kind: fetch
        operation: shop.getProduct
        input: "{ 'id': $number($substring(item, 1)) }"
`;
    const seen: number[] = [];
    let failed = false;
    const { engine } = await run(doc, async (_ref, input) => {
      if (input.id === 3 && !failed) {
        failed = true;
        throw transientError('HTTP_RATE_LIMITED', 'X-Cart rate limit');
      }
      seen.push(input.id);
      return {};
    });
    await engine.intake([{ system: 'sage300', entity: 'stock', id: 's', version: '2026-12-07T00:00:00.000Z', payload: { skus: ['P1', 'P2', 'P3', 'P4'] } }], { connection: 'erp' });
    await until('succeeded', async () => (await engine.runs.list({ status: 'succeeded' })).length === 1);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('events of another connection of the same system never reach a bound flow', async () => {
    const calls: string[] = [];
    const { engine } = await run(ORDER_FLOW, async (ref) => {
      calls.push(ref);
      return [];
    });
    const r = await engine.intake([{ system: 'xcart', entity: 'order', id: 'EVIL888001', version: '000000000001.0000', payload: { email: 'e@x.com' } }], { connection: 'evil-shop' });
    expect(r.jobs).toBe(0);
    await sleep(200);
    expect(calls).toEqual([]);
  });
});
