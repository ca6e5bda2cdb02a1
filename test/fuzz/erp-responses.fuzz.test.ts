// Fuzzing (fast-check) of what the ERPs answer (issue 15), through the connectors' whole answer path
// (HTTP client classification, JSON or SOAP parsing, the operation's schema and its own reading):
// each call goes over loopback HTTP through a proxy to the real sandbox, and the proxy hands the
// connector the sandbox's real answer with random parts replaced, cut short, or replaced outright by
// random JSON, XML or text, under a random status. The rule: 0 crashes — every call resolves or
// rejects with a classified SynclineError (a code and a message).
//   - Sage 300 Web API (JSON): getOrder, getItem, getCustomer, findCustomerByEmail,
//     findOrdersByReference, listItems, createOrder;
//   - Sage X3 SOAP: read, query, findSalesOrderByReference, createSalesOrderOnce.
// One attempt per call (maxAttempts 1) and a fresh connection per call (no circuit carried over):
// what is fuzzed is the reading of each answer, not the retries around it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrder, findCustomerByEmail, findOrdersByReference, getCustomer, getItem, getOrder, listItems, Sage300Client } from '../../src/connectors/sage300/index.js';
import { SageX3Client } from '../../src/connectors/sagex3/client.js';
import { createSalesOrderOnce, findSalesOrderByReference } from '../../src/connectors/sagex3/index.js';
import { query } from '../../src/connectors/sagex3/operations/query.js';
import { read } from '../../src/connectors/sagex3/operations/read.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { classified, mutate } from './fuzz.testkit.js';

const RUNS = Number(process.env.SYNCLINE_FUZZ_RUNS ?? 150);
const noLimits = { acquire: async () => undefined, setLimit: () => undefined };

/** What the proxy does to the sandbox's answer: a status to answer with (or the real one) and a new body made from the real one. */
interface Twist {
  status?: number;
  body: (real: string) => string;
}

/** An HTTP proxy to a sandbox; each answer goes through the current twist. */
async function twistingProxy(target: string): Promise<{ url: string; twist: Twist; close: () => Promise<void> }> {
  const state = { twist: { body: (b: string) => b } as Twist };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k))) as Record<string, string>;
        const real = await request(`${target}${req.url}`, { method: req.method as 'GET', headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        const text = await real.body.text();
        const body = state.twist.body(text);
        res.writeHead(state.twist.status ?? real.statusCode, { 'content-type': String(real.headers['content-type'] ?? 'application/json') });
        res.end(body);
      })().catch((e: Error) => res.writeHead(502).end(e.message));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get twist() {
      return state.twist;
    },
    set twist(t: Twist) {
      state.twist = t;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Statuses an ERP may answer with, the transient ones included (one attempt: no retry waits). */
const status = fc.option(fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503), { nil: undefined, freq: 2 });
const cut = (text: string, at: number) => text.slice(0, Math.floor(text.length * at));

let calls = 0;
/** Runs one call under a twist: it must resolve, or reject with a classified error. */
async function settle(call: () => Promise<unknown>): Promise<'ok' | 'refused'> {
  calls++;
  try {
    await call();
    return 'ok';
  } catch (e) {
    classified(e);
    return 'refused';
  }
}

/** RUNS × 2 calls, each one of `calls` under a random twist: all settle; some must be refused. */
async function fuzzCalls<C>(label: string, proxy: { twist: Twist }, calls: Array<[string, (c: C) => Promise<unknown>]>, client: () => C, twists: fc.Arbitrary<Twist>): Promise<void> {
  const outcomes = { ok: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: calls.length - 1 }), twists, async (which, twist) => {
      proxy.twist = twist;
      outcomes[await settle(() => calls[which]![1](client()))]++;
    }),
    { numRuns: RUNS * 2 },
  );
  proxy.twist = { body: (b) => b };
  console.log(`${label}: ${RUNS * 2} calls, ${outcomes.ok} resolved, ${outcomes.refused} refused with a code`);
  expect(outcomes.refused).toBeGreaterThan(0);
}

describe('fuzz: Sage 300 JSON answers through the connector', () => {
  let sb: Sage300Sandbox;
  let proxy: Awaited<ReturnType<typeof twistingProxy>>;
  let n = 0;
  let item = '';
  const client = () => new Sage300Client({ baseUrl: proxy.url, company: sb.credentials.company, user: sb.credentials.user, password: sb.credentials.password, timeoutMs: 5_000 }, { connection: `sage300-fuzz-${++n}`, rateLimiter: noLimits, maxAttempts: 1 });
  beforeAll(async () => {
    sb = await startSage300({ seed: 3 });
    proxy = await twistingProxy(sb.url);
    item = String(sb.company.items.table.rows().find((r) => r.StructureCode === 'CSC')!.ItemNumber);
  });
  afterAll(async () => {
    await proxy?.close();
    await sb?.close();
  });

  const calls300 = (): Array<[string, (c: Sage300Client) => Promise<unknown>]> => [
    ['getOrder', (c) => getOrder.call(c, { orderUniquifier: 1 })],
    ['getItem', (c) => getItem.call(c, { itemNumber: item })],
    ['getCustomer', (c) => getCustomer.call(c, { customerNumber: sb.webCustomer })],
    ['findCustomerByEmail', (c) => findCustomerByEmail.call(c, { email: 'ada@example.com' })],
    ['findOrdersByReference', (c) => findOrdersByReference.call(c, { purchaseOrderNumber: 'XC-1' })],
    ['listItems', (c) => listItems.call(c, { limit: 5 })],
    ['createOrder', (c) => createOrder.call(c, { order: { CustomerNumber: sb.webCustomer, PurchaseOrderNumber: `FZ-${calls}`, OrderDate: '2026-01-05', OrderDetails: [{ LineType: 'Item' as const, Item: item, Location: '1', QuantityOrdered: '1', PricingUnitPrice: '9.99' }] } })],
  ];

  it('the real answers read (the proxy alone changes nothing)', async () => {
    for (const [name, call] of calls300()) expect([name, await settle(() => call(client()))]).toEqual([name, 'ok']);
  });

  it('answers mutated, cut, replaced by random JSON or text, under random statuses → a result or a classified refusal', async () => {
    const twists: fc.Arbitrary<Twist> = fc.oneof(
      // The real answer with random leaves replaced or keys dropped (a seed picks the mutation).
      fc.tuple(status, fc.integer()).map(([s, seed]) => ({ status: s, body: (real: string) => {
        let value: unknown;
        try {
          value = JSON.parse(real);
        } catch {
          return real;
        }
        return JSON.stringify(fc.sample(mutate(value), { numRuns: 1, seed })[0]) ?? 'null';
      } })),
      fc.tuple(status, fc.double({ min: 0, max: 1, noNaN: true })).map(([s, at]) => ({ status: s, body: (real: string) => cut(real, at) })),
      fc.tuple(status, fc.jsonValue()).map(([s, v]) => ({ status: s, body: () => JSON.stringify(v) ?? '' })),
      fc.tuple(status, fc.string({ maxLength: 200 })).map(([s, t]) => ({ status: s, body: () => t })),
      // A Sage error body with random contents.
      fc.tuple(status, fc.jsonValue(), fc.jsonValue()).map(([s, code, message]) => ({ status: s, body: () => JSON.stringify({ error: { code, message: { lang: 'en-US', value: message } } }) })),
    );
    await fuzzCalls('Sage 300 answer fuzz', proxy, calls300(), client, twists);
  });
});

describe('fuzz: Sage X3 SOAP answers through the connector', () => {
  let sb: SageX3Sandbox;
  let proxy: Awaited<ReturnType<typeof twistingProxy>>;
  let n = 0;
  let item = '';
  const client = () => new SageX3Client({ baseUrl: proxy.url, auth: { type: 'basic', user: String(sb.credentials.user), password: String(sb.credentials.password) }, poolAlias: String(sb.credentials.poolAlias), timeoutMs: 5_000 }, { connection: `x3-fuzz-${++n}`, breaker: false, maxAttempts: 1, rateLimiter: noLimits });
  let soh = '';
  beforeAll(async () => {
    sb = await startX3({ seed: 3 });
    proxy = await twistingProxy(sb.url);
    item = [...sb.state.stores.ITM.keys()][0]!;
    soh = String((await createSalesOrderOnce(client(), { SALFCY: 'US011', BPCORD: 'C00006', CUSORDREF: 'FZ-REAL', lines: [{ ITMREF: item, QTY: '1' }] } as never)).order.SOHNUM);
  });
  afterAll(async () => {
    await proxy?.close();
    await sb?.close();
  });

  const callsX3 = (): Array<[string, (c: SageX3Client) => Promise<unknown>]> => [
    ['read SOH', (c) => read.call(c, { object: 'SOH', key: soh })],
    ['read ITM', (c) => read.call(c, { object: 'ITM', key: item })],
    ['query SOH', (c) => query.call(c, { object: 'SOH', criteria: { CUSORDREF: 'FZ-REAL' }, listSize: 5 })],
    ['findSalesOrderByReference', (c) => findSalesOrderByReference(c, 'FZ-REAL')],
    ['createSalesOrderOnce', (c) => createSalesOrderOnce(c, { SALFCY: 'US011', BPCORD: 'C00006', CUSORDREF: `FZ-${calls}`, lines: [{ ITMREF: item, QTY: '1' }] } as never)],
  ];

  it('the real answers read (the proxy alone changes nothing)', async () => {
    for (const [name, call] of callsX3()) expect([name, await settle(() => call(client()))]).toEqual([name, 'ok']);
  });

  it('envelopes and resultXml spliced, cut, re-valued or replaced, under random statuses → a result or a classified refusal', async () => {
    const token = fc.oneof(
      fc.constantFrom('<', '>', '</', '/>', '<![CDATA[', ']]>', '&amp;', '&#x0;', '&lt;', '"', ' ', '<FLD NAME="SOHNUM">', '</FLD>', '<GRP ID="SOH0_1">', '</GRP>', '<TAB ID="SOH4_1" SIZE="2">', '<LIN NUM="1">', '</LIN>', '</TAB>', '<RESULT>', '</RESULT>', '<status>0</status>', '<status>2</status>', '<type>3</type>', 'xsi:nil="true"', '<resultXml>', '</resultXml>'),
      fc.string({ maxLength: 8 }),
    );
    const xmlish = fc.array(token, { maxLength: 40 }).map((a) => a.join(''));
    /** Somewhere inside the resultXml (the inner document the operations read), or anywhere. */
    const where = (real: string, at: number) => {
      const from = real.indexOf('<resultXml>');
      const to = real.indexOf('</resultXml>');
      return from >= 0 && to > from ? from + 11 + Math.floor((to - from - 11) * at) : Math.floor(real.length * at);
    };
    const twists: fc.Arbitrary<Twist> = fc.oneof(
      fc.tuple(status, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 200 }), xmlish).map(([s, at, len, ins]) => ({ status: s, body: (real: string) => real.slice(0, where(real, at)) + ins + real.slice(where(real, at) + len) })),
      // A field's value replaced (numbers, dates and keys the views read).
      fc.tuple(status, fc.nat(), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', '-1', '1e400', 'NaN', '2026-13-45', '99999999999999999999.999'))).map(([s, pick, v]) => ({ status: s, body: (real: string) => {
        const fields = [...real.matchAll(/(<FLD [^>]*>)([^<]*)(<\/FLD>)/g)];
        const f = fields[pick % Math.max(1, fields.length)];
        return f ? real.replace(f[0], `${f[1]}${v.replace(/[<&]/g, '')}${f[3]}`) : real;
      } })),
      fc.tuple(status, fc.double({ min: 0, max: 1, noNaN: true })).map(([s, at]) => ({ status: s, body: (real: string) => cut(real, at) })),
      fc.tuple(status, fc.oneof(fc.string({ maxLength: 300 }), xmlish)).map(([s, t]) => ({ status: s, body: () => t })),
    );
    await fuzzCalls('X3 SOAP answer fuzz', proxy, callsX3(), client, twists);
  });
});
