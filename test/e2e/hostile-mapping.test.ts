// Issue 10, defect 2: one mapping froze the whole engine, again after every restart. Here the order
// flow runs a mapping with the catastrophic regex of the report and a recursive helper whose work
// grows with the note: the regex-poisoned order is delivered (RE2 answers in linear time), the
// order whose note drives the helper past its budget is dead-lettered with MAPPING_BUDGET_EXCEEDED
// naming the field and the expression, every other order is delivered, /healthz answers throughout,
// and after a restart on the same store nothing freezes and the dead letter stays dead.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { findOrdersByReference, type Sage300Client } from '../../src/connectors/sage300/index.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';

const root = path.resolve(import.meta.dirname, '../..');
import { sleep, until } from '../support/wait.js';
const UNLIMITED = { ratePerSec: 100_000, burst: 100_000 };


// The shipped order template with two hostile fields, as a mapping author might write them.
const REGEX = "$match(notes, /^(a+)+$/) ? 'Note of a' : $truncate('X-Cart order #' & order_number, 60)";
const HELPER = "($strip := function($s){ $substring($s, -1) = '!' ? $strip($substring($s, 0, $length($s) - 1)) : $s }; $truncate($strip(notes), 250))";

describe('a hostile mapping in the order flow', () => {
  let dir: string;
  let xcart: XcartSandbox;
  let sage300: Sage300Sandbox;
  let runtime: Runtime | undefined;
  let sage: Sage300Client;
  let config: ReturnType<typeof parseConfig>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-hostile-'));
    const mappings = path.join(dir, 'mappings');
    mkdirSync(mappings);
    symlinkSync(path.join(root, 'mappings/lookups'), path.join(mappings, 'lookups'));
    symlinkSync(path.join(root, 'mappings/targets'), path.join(mappings, 'targets'));
    const shipped = readFileSync(path.join(root, 'mappings/xcart-sage300/order-to-oe-order.yaml'), 'utf8');
    const hostile = shipped
      .replace(/^ {2}OrderDescription: .*$/m, `  OrderDescription: ${JSON.stringify(REGEX)}`)
      .replace(/^ {2}OrderComment: .*$/m, `  OrderComment: ${JSON.stringify(HELPER)}`);
    expect(hostile).toContain('/^(a+)+$/');
    expect(hostile).toContain('$strip');
    writeFileSync(path.join(mappings, 'order-to-oe-order.yaml'), hostile);

    xcart = await startXcart({ port: 0, seed: 1 });
    sage300 = await startSage300({ port: 0, seed: 1 });
    config = parseConfig({
      dataDir: path.join(dir, 'data'),
      server: { port: 0 },
      worker: { concurrency: 8, pollMs: 5 },
      connections: [
        { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken }, rateLimits: { listOrders: UNLIMITED, getOrder: UNLIMITED } },
        {
          id: 'sage300-main',
          system: 'sage300',
          config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: sage300.credentials.password },
          rateLimits: { createOrder: UNLIMITED, findOrdersByReference: UNLIMITED, updateOrder: UNLIMITED },
        },
      ],
      flows: [
        {
          use: 'xcart-order-to-sage300',
          connections: { shop: 'xcart-main', erp: 'sage300-main' },
          pollIntervalMs: 100,
          since: new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString(),
          mapping: path.join(mappings, 'order-to-oe-order.yaml'),
        },
      ],
    });
    runtime = await startSyncline(config, { listen: true });
    sage = runtime.clients['sage300-main'] as Sage300Client;
  });
  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([xcart?.close(), sage300?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const inSage = async (orderNumber: string) => (await findOrdersByReference.call(sage, { purchaseOrderNumber: orderNumber })).length;
  const deadJobs = async () => (await runtime!.engine.queue.list({ state: 'dead', limit: 100 })).filter((j) => j.lastError?.code === 'MAPPING_BUDGET_EXCEEDED');

  /** Polls /healthz every 20 ms while `fn` runs; returns the slowest answer (ms). */
  async function watchHealth<T>(fn: () => Promise<T>): Promise<[T, number]> {
    let worst = 0;
    let stop = false;
    const poll = (async () => {
      while (!stop) {
        const t0 = performance.now();
        const res = await request(`${runtime!.url}/healthz`);
        expect(res.statusCode).toBe(200);
        await res.body.dump();
        worst = Math.max(worst, performance.now() - t0);
        await sleep(20);
      }
    })();
    try {
      return [await fn(), worst];
    } finally {
      stop = true;
      await poll;
    }
  }

  it('dead-letters the one poisoned order with the reason and delivers the others, /healthz answering', async () => {
    const [orders, worstHealthMs] = await watchHealth(async () => {
      const good1 = xcart.storefront.placeOrder({ guest: true, notes: 'Leave at the back door' });
      const regex = xcart.storefront.placeOrder({ guest: true, notes: `${'a'.repeat(40)}!` });
      const poisoned = xcart.storefront.placeOrder({ guest: true, notes: `Ring twice${'!'.repeat(60_000)}` });
      const good2 = xcart.storefront.placeOrder({ guest: true, notes: 'Thanks!!' });
      const good = [good1, regex, good2].map((o) => String(o.order_number));
      await until('the three good orders in Sage 300', async () => (await Promise.all(good.map(inSage))).every((n) => n === 1), (v) => v);
      const [dead] = await until('the poisoned order dead-lettered', deadJobs, (d) => d.length === 1);
      return { good, poisoned: String(poisoned.order_number), dead: dead! };
    });
    expect(await inSage(orders.poisoned)).toBe(0);
    expect(orders.dead.attempts).toBe(1); // a user error: not retried
    expect(orders.dead.lastError).toMatchObject({ code: 'MAPPING_BUDGET_EXCEEDED', kind: 'user', details: { field: 'OrderComment', expression: HELPER } });
    expect(orders.dead.lastError!.message).toContain('field OrderComment');
    // The regex-poisoned note was mapped, not frozen on: RE2 answered "no match" in linear time.
    const [regexOrder] = await findOrdersByReference.call(sage, { purchaseOrderNumber: orders.good[1]! });
    expect(regexOrder?.OrderDescription).toBe(`X-Cart order #${orders.good[1]}`);
    // One over-budget record holds the event loop for about its 50 ms CPU budget, never seconds.
    console.log(`slowest /healthz answer while the hostile orders ran: ${worstHealthMs.toFixed(0)} ms`);
    expect(worstHealthMs).toBeLessThan(2_000);
  });

  it('after a restart on the same store: no freeze, the dead letter stays dead, new orders flow', async () => {
    await runtime!.stop();
    runtime = await startSyncline(config, { listen: true });
    sage = runtime.clients['sage300-main'] as Sage300Client;
    const [, worstHealthMs] = await watchHealth(async () => {
      const next = xcart.storefront.placeOrder({ guest: true, notes: 'after the restart' });
      await until('the next order in Sage 300', () => inSage(String(next.order_number)), (n) => n === 1);
    });
    const dead = await deadJobs();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attempts).toBe(1);
    expect(worstHealthMs).toBeLessThan(2_000);
  });
});
