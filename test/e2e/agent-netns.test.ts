// The on-premise agent where it matters: the Sage 300 sandbox runs in a network namespace of its own
// (made by this test with `ip netns`), where the hub cannot reach it — checked. Two agents run in that
// namespace beside it and reach the hub only through a Unix socket (the filesystem crosses namespaces;
// no address outside loopback is used). Orders are delivered through the agents with deliverOnce
// while one agent is SIGKILLed and restarted, and while the link is cut (a blackhole, then back);
// Sage 300 answers in 150 ms, so a kill or a cut always finds calls in flight. Afterwards Sage 300
// holds exactly one order per reference, counted over its API through an agent.
// Needs root (CI runs as root); elsewhere it is skipped, loudly.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/core/db/database.js';
import { SynclineError } from '../../src/core/errors.js';
import { XrefStore, deliverOnce } from '../../src/core/xref.js';
import { Sage300Client } from '../../src/connectors/sage300/client.js';
import { createOrder, findOrdersByReference } from '../../src/connectors/sage300/index.js';
import { WEB_CUSTOMER } from '../../src/sandboxes/sage300/index.js';
import { routeConnection } from '../../src/http/transport.js';
import { AgentHub } from '../../src/agent/hub.js';

const root = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const canRun = netnsAvailable();
if (!canRun) console.warn('agent-netns.test.ts SKIPPED: needs root and `ip netns` to isolate the ERP');

/** Hub ⇄ agents through a Unix socket; `cut` swallows every byte both ways (packets dropped, no reset). */
class Relay {
  readonly server: Server;
  private cutUntil = 0;
  private readonly pairs = new Set<[Socket, Socket]>();
  constructor(socketPath: string, hubPort: number) {
    this.server = createServer((agentSide) => {
      const hubSide = createConnection({ host: '127.0.0.1', port: hubPort });
      const pair: [Socket, Socket] = [agentSide, hubSide];
      this.pairs.add(pair);
      const forward = (from: Socket, to: Socket) => from.on('data', (d) => void (Date.now() >= this.cutUntil && to.write(d)));
      forward(agentSide, hubSide);
      forward(hubSide, agentSide);
      const close = () => (agentSide.destroy(), hubSide.destroy(), this.pairs.delete(pair));
      agentSide.on('close', close).on('error', close);
      hubSide.on('close', close).on('error', close);
    });
    this.server.listen(socketPath);
  }
  cut(ms: number): void {
    this.cutUntil = Date.now() + ms;
  }
  close(): void {
    for (const [a, b] of this.pairs) (a.destroy(), b.destroy());
    this.server.close();
  }
}

describe.skipIf(!canRun)('on-premise agent in its own network namespace', () => {
  const ns = `sl-agent-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-netns-'));
  const erpPort = 20_000 + Math.floor(Math.random() * 20_000);
  const erpUrl = `http://127.0.0.1:${erpPort}`;
  const children = new Set<ChildProcess>();
  let store: Store;
  let hub: AgentHub;
  let relay: Relay;
  let client: Sage300Client;
  const agents: Record<string, { dir: string; config: string; child?: ChildProcess }> = {};

  const inNs = (args: string[], opts: { wait?: RegExp } = {}) =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: root, env: { ...process.env, SYNCLINE_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      if (!opts.wait) return resolve(child);
      const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: no ${opts.wait} in 60 s`)), 60_000);
      for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => (process.env.DEBUG_AGENT_TEST && console.error(l), opts.wait!.test(l) && (clearTimeout(timer), resolve(child))));
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${args.join(' ')} exited (${code})`))));
    });

  const startAgent = async (name: string) => {
    // Up when it logs "agent started"; connected once the hub lists it (a loaded machine takes seconds to load the code).
    // A restart can meet the relay's cut: the relay drops those bytes for good (TCP would resend them), so
    // that TLS handshake waits out the agent's 10 s handshake timeout and the next attempt (≤ 5 s) connects.
    agents[name]!.child = await inNs(['bin/syncline.js', 'agent', 'run', '--config', agents[name]!.config], { wait: /agent started/ });
    for (let i = 0; i < 800 && !hub.connected('plant').some((a) => a.id.startsWith(`${name}-`)); i++) await sleep(50);
    expect(hub.connected('plant').some((a) => a.id.startsWith(`${name}-`))).toBe(true);
  };

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    await inNs(['bin/syncline.js', 'sandbox', 'sage300', '--port', String(erpPort), '--host', '127.0.0.1', '--json', '--faults', JSON.stringify({ rules: [{ route: '/Sage300WebApi', latencyMs: 150 }] })], { wait: /"url"/ });
    store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'hub.db') });
    hub = await AgentHub.start({ db: store.db, caDir: path.join(dir, 'ca'), hostnames: ['localhost'], heartbeatMs: 250, waitForAgentMs: 3_000 });
    relay = new Relay(path.join(dir, 'hub.sock'), hub.address.port);
    for (const name of ['alpha', 'beta']) {
      const { token } = await hub.createEnrolmentToken('plant');
      const stateDir = path.join(dir, name);
      const enrol = await inNs(['bin/syncline.js', 'agent', 'enrol', '--hub', hub.url, '--hub-socket', path.join(dir, 'hub.sock'), '--token', token, '--dir', stateDir, '--name', name], { wait: /agentId/ });
      enrol.kill();
      const config = path.join(dir, `${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          hub: hub.url,
          hubSocket: path.join(dir, 'hub.sock'),
          stateDir,
          heartbeatMs: 250,
          // The ERP's credentials live here only; the hub's connection has none that work.
          allow: [{ url: `${erpUrl}/Sage300WebApi/v1.0/-/SAMLTD/`, methods: ['GET', 'POST'], headers: { authorization: `Basic ${Buffer.from('WEBAPI:WEBAPI').toString('base64')}` } }],
        }),
      );
      agents[name] = { dir: stateDir, config };
    }
    await startAgent('alpha');
    await startAgent('beta');
    client = new Sage300Client({ baseUrl: erpUrl, company: 'SAMLTD', user: 'WEBAPI', password: 'unknown-to-the-hub', timeoutMs: 4_000 }, { connection: 'sage300-plant' });
    routeConnection('sage300-plant', hub.transport('plant'));
  }, 120_000);

  afterAll(async () => {
    routeConnection('sage300-plant', undefined);
    for (const c of children) c.kill('SIGKILL');
    relay?.close();
    await hub?.stop();
    await store?.close();
    try {
      execFileSync('ip', ['netns', 'del', ns]);
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('the hub cannot reach the ERP; the agents can', async () => {
    const direct = await fetch(`${erpUrl}/Sage300WebApi/v1.0/-/SAMLTD/IC/ICItems`).then(
      (r) => `HTTP ${r.status}`,
      (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
    );
    expect(direct).toBe('ECONNREFUSED');
    const items = await client.list('listItems', 'IC', 'ICItems', z.looseObject({ ItemNumber: z.string() }), { select: ['ItemNumber'], limit: 2 });
    expect(items).toHaveLength(2);
  });

  it('orders delivered once each through an agent SIGKILLed and restarted mid-run and a link cut for 2 s', async () => {
    const xref = new XrefStore(store.db);
    const [item] = await client.list('listItems', 'IC', 'ICItems', z.looseObject({ ItemNumber: z.string() }), { select: ['ItemNumber'], limit: 1 });
    const ORDERS = 120;
    const run = `${Date.now() % 100000}`;
    const outcomes = { created: 0, foundExisting: 0, retries: 0, unknownOutcomes: 0 };
    let next = 0;
    const deliver = async (n: number) => {
      const reference = `NS-${run}-${n}`;
      for (let attempt = 1; ; attempt++) {
        try {
          // The engine's rule: after a failed attempt the record is looked up by its reference first.
          const d = await deliverOnce({
            xref,
            source: { system: 'test', entity: 'order', id: reference },
            target: { system: 'sage300', entity: 'oe-order' },
            mayHaveRun: attempt > 1,
            findByReference: async () => (await findOrdersByReference.call(client, { purchaseOrderNumber: reference }))[0]?.OrderNumber,
            create: async () => ({ id: (await createOrder.call(client, { lookupFirst: false, order: { CustomerNumber: WEB_CUSTOMER, PurchaseOrderNumber: reference, OrderReference: reference, OrderDate: new Date().toISOString().slice(0, 10), OrderDetails: [{ LineType: 'Item', Item: item!.ItemNumber, Location: '1', QuantityOrdered: '1', PricingUnitPrice: '10.00' }] } })).order.OrderNumber }),
          });
          await xref.link(...d.link);
          if (d.action === 'created') outcomes.created++;
          else outcomes.foundExisting++;
          return;
        } catch (e) {
          if (!(e instanceof SynclineError) || e.kind !== 'transient' || attempt >= 30) throw e;
          outcomes.retries++;
          if (e.details.outcomeUnknown === true) outcomes.unknownOutcomes++;
          await sleep(150);
        }
      }
    };
    const worker = async () => {
      while (next < ORDERS) {
        await deliver(next++);
        await sleep(100);
      }
    };
    const inFlight = (prefix: string) => hub.connected('plant').filter((a) => a.id.startsWith(prefix)).reduce((n, a) => n + a.inFlight, 0);
    const chaos = (async () => {
      while (next < 20) await sleep(20);
      // SIGKILL while alpha holds calls: no goodbye, their outcome is unknown to the hub.
      while (inFlight('alpha-') === 0) await sleep(5);
      agents.alpha!.child!.kill('SIGKILL');
      const restarted = sleep(500).then(() => startAgent('alpha'));
      while (next < 60) await sleep(20);
      while (inFlight('') === 0) await sleep(5);
      relay.cut(2_000); // every link goes silent; heartbeats notice, agents reconnect after
      await sleep(2_500);
      await restarted;
    })();
    await Promise.all([worker(), worker(), worker(), worker(), chaos]);

    // Both agents come back by themselves after the cut (reconnect with backoff, ≤ 5 s apart).
    for (let i = 0; i < 300 && hub.connected('plant').length < 2; i++) await sleep(100);
    expect(hub.connected('plant').length).toBe(2);
    // Counted with a client of its own: the chaos above may have left this one's breaker open for a while.
    const counter = new Sage300Client({ baseUrl: erpUrl, company: 'SAMLTD', user: 'WEBAPI', password: 'unknown-to-the-hub', timeoutMs: 10_000 }, { connection: 'sage300-plant-count' });
    routeConnection('sage300-plant-count', hub.transport('plant'));
    const orders = (await counter.list('countOrders', 'OE', 'OEOrders', z.looseObject({ OrderNumber: z.string(), PurchaseOrderNumber: z.string() }), { select: ['OrderNumber', 'PurchaseOrderNumber'] })).filter((o) =>
      o.PurchaseOrderNumber.startsWith(`NS-${run}-`),
    );
    routeConnection('sage300-plant-count', undefined);
    const perReference = new Map<string, number>();
    for (const o of orders) perReference.set(o.PurchaseOrderNumber, (perReference.get(o.PurchaseOrderNumber) ?? 0) + 1);
    console.log(`agent chaos: ${JSON.stringify(outcomes)}; Sage 300 holds ${orders.length} orders for ${ORDERS} references`);
    expect(perReference.size).toBe(ORDERS);
    expect([...perReference.values()].every((n) => n === 1)).toBe(true);
    expect(outcomes.created + outcomes.foundExisting).toBe(ORDERS);
    expect(outcomes.retries).toBeGreaterThan(0); // the kill and the cut did hit calls in flight
  }, 180_000);
});
