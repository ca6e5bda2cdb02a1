// Orders end to end (issue 9): Amazon orders → X3 sales orders over SOAP through the
// amazon-order-to-sagex3 flow document, with both sandboxes answering at once and every rate limit
// off (the Amazon sandbox's buckets and the connector's), so the figure is Syncline's own cost per
// order: the ORDER_CHANGE notification taken from the SQS destination and its getOrder (the sandbox
// runs in real time, so no getOrders sweep can list these orders: they are younger than Amazon's
// 2 minutes), getOrderItems, the risk hold, the mapping, the CUSORDREF look-up and the SOAP save, on
// the embedded SQLite store. Orders/s counted in X3 (what it holds) plus orders the risk step held,
// from the first order placed to the last one settled; median of SYNCLINE_BENCH_RUNS (3) runs of
// SYNCLINE_BENCH_ORDERS (2000) orders placed at once.
// Each sandbox runs in its own process (bench/support/amazon-x3-sandbox.child.ts), as the real Amazon
// and X3 are not in Syncline's and as the engine bench runs its sandboxes: in one process the two
// sandboxes took ~1.3 of the ~4.7 ms of CPU per order (7 Dec, 21:22 UTC, load 5–6: 137 orders/s with
// them in-process, 171 with each in its own, medians of 3 interleaved runs of 2,000).
// SYNCLINE_BENCH_SANDBOXES=in-process runs them in this process as before, for comparison. The engine
// process's CPU per order is reported beside the figure. SYNCLINE_BENCH_CPU_PROF_DIR=DIR: the sandbox
// processes write CPU profiles there (profile this one with node --cpu-prof).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config.js';
import { startSyncline } from '../../src/main.js';
import { start as startAmazon } from '../../src/sandboxes/amazon/index.js';
import { start as startX3 } from '../../src/sandboxes/sagex3/index.js';
import { AMAZON_RATE_LIMITS } from '../../src/connectors/amazon/index.js';
import { clientFor } from '../../src/connectors/amazon/testing.js';
import { createDestination, createSubscription } from '../../src/connectors/amazon/operations/notifications.js';
import type { Figure } from '../run.js';

const N = Number(process.env.SYNCLINE_BENCH_ORDERS ?? 2000);
const RUNS = Number(process.env.SYNCLINE_BENCH_RUNS ?? 3);
const IN_PROCESS = process.env.SYNCLINE_BENCH_SANDBOXES === 'in-process';
/** Each sandbox process writes a V8 CPU profile (.cpuprofile) here when it exits. */
const PROFILE_DIR = process.env.SYNCLINE_BENCH_CPU_PROF_DIR;
const OFF = { ratePerSec: 1_000_000, burst: 1_000_000 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const root = path.resolve(import.meta.dirname, '../..');

/** Both sandboxes, each in its own process or both in this one, behind the same few calls. */
interface Sandboxes {
  amazon: { url: string; credentials: Record<string, unknown> };
  x3: { url: string };
  place(n: number): Promise<void>;
  soh(): Promise<number>;
  /** CPU the sandboxes spent since they started (0 in this process: it is counted with the engine's). */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

async function inProcess(): Promise<Sandboxes> {
  const [amazon, x3] = await Promise.all([startAmazon({ seed: 1, historicalOrders: 0, rateLimits: false }), startX3({ seed: 1, pools: { SYNCLINE: { channels: 16 } } })]);
  return {
    amazon,
    x3,
    place: async (n) => {
      for (let i = 0; i < n; i++) amazon.sandbox.market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', status: 'Unshipped' });
    },
    soh: async () => x3.state.stores.SOH.size,
    cpuMs: async () => 0,
    close: async () => void (await Promise.all([amazon.close(), x3.close()])),
  };
}

/** One child (bench/support/amazon-x3-sandbox.child.ts) and its request/answer over IPC. */
async function child(which: 'amazon' | 'sagex3') {
  const proc: ChildProcess = fork(path.join(root, 'bench/support/amazon-x3-sandbox.child.ts'), [which], { cwd: root, execArgv: ['--import', 'tsx', ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise<Record<string, any>>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`sandbox ${which} exited (${code})`));
    proc.once('exit', onExit);
    proc.once('message', (m) => {
      proc.off('exit', onExit);
      resolve(m as Record<string, any>);
    });
  });
  const first = await next();
  const ask = async (m: object) => {
    const answer = next();
    proc.send(m);
    return answer;
  };
  return { url: first.url as string, credentials: first.credentials as Record<string, unknown>, ask, close: async () => {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.send({ close: true });
    await exited;
  } };
}

async function separateProcesses(): Promise<Sandboxes> {
  const [amazon, x3] = await Promise.all([child('amazon'), child('sagex3')]);
  return {
    amazon,
    x3,
    place: async (n) => void (await amazon.ask({ place: n })),
    soh: async () => (await x3.ask({ count: true })).soh as number,
    cpuMs: async () => ((await amazon.ask({ cpu: true })).cpuMs as number) + ((await x3.ask({ cpu: true })).cpuMs as number),
    close: async () => void (await Promise.all([amazon.close(), x3.close()])),
  };
}

interface Run {
  perSec: number;
  seconds: number;
  delivered: number;
  /** CPU of this process (the engine, and the sandboxes when in-process) per order, µs. */
  engineCpuUs: number;
  /** CPU of the sandbox processes per order, µs (0 in-process). */
  sandboxCpuUs: number;
}

async function once(): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-ax-'));
  const sb = IN_PROCESS ? await inProcess() : await separateProcesses();
  const c = sb.amazon.credentials as Record<string, string>;
  const client = clientFor(sb.amazon);
  const dest = await createDestination.call(client, { name: 'syncline', sqsArn: 'arn:aws:sqs:us-east-1:000000000000:syncline-notifications' });
  await createSubscription.call(client, { notificationType: 'ORDER_CHANGE', destinationId: dest.destinationId });
  mkdirSync(path.join(dir, 'lookups'));
  writeFileSync(path.join(dir, 'lookups/marketplaces.yaml'), 'name: marketplaces\nnormalize: [trim, upper]\nentries:\n  ATVPDKIKX0DER: { site: US011, currency: USD, country: US, customer: C00001, orderType: SON, timeZone: America/Los_Angeles }\n');
  const runtime = await startSyncline(parseConfig({
    dataDir: dir,
    lookupsDir: path.join(dir, 'lookups'),
    server: { port: 0 },
    worker: { concurrency: 32, pollMs: 2 },
    log: { level: 'error' },
    connections: [
      { id: 'amazon-main', system: 'amazon', config: { endpoint: sb.amazon.url, lwaUrl: c.lwaUrl ?? `${sb.amazon.url}/auth/o2/token`, clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, sellerId: c.sellerId, sqsQueueUrl: c.sqsQueueUrl }, rateLimits: Object.fromEntries(Object.keys(AMAZON_RATE_LIMITS).map((k) => [k, OFF])) },
      { id: 'x3-main', system: 'sagex3', config: { baseUrl: sb.x3.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE', maxConcurrent: 16 } },
    ],
    flows: [{ use: 'amazon-order-to-sagex3', connections: { marketplace: 'amazon-main', erp: 'x3-main' }, pollIntervalMs: 50, since: 'now' }],
  }), { listen: false });
  try {
    const cpu0 = process.cpuUsage();
    const sbCpu0 = await sb.cpuMs();
    const t0 = performance.now();
    await sb.place(N);
    const held = async () => (await runtime.engine.queue.list({ state: 'dead', limit: N })).length;
    let delivered = 0;
    let stopped = 0;
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      delivered = await sb.soh();
      stopped = await held();
      if (delivered + stopped >= N) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const sbCpu = (await sb.cpuMs()) - sbCpu0;
    if (delivered + stopped < N) throw new Error(`only ${delivered} SOHs and ${stopped} held of ${N} orders after ${seconds.toFixed(0)} s`);
    return { perSec: (delivered + stopped) / seconds, seconds, delivered, engineCpuUs: (cpu.user + cpu.system) / N, sandboxCpuUs: (sbCpu * 1000) / N };
  } finally {
    await runtime.stop();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function (): Promise<Figure[]> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  const { loadavg } = await import('node:os');
  const where = IN_PROCESS ? 'sandboxes in this process' : 'each sandbox in its own process';
  if (process.env.SYNCLINE_BENCH_VERBOSE) for (const r of runs) console.error(JSON.stringify(r));
  return [
    { name: `orders end to end (${N} at once, ORDER_CHANGE → SOH over SOAP, limits off, ${where})`, value: median(runs.map((r) => r.perSec)), unit: 'orders/s', target: '>= 800' },
    { name: 'orders end to end: SOHs in X3 (median run; the rest held by the risk step)', value: median(runs.map((r) => r.delivered)), unit: 'orders' },
    { name: `orders end to end: CPU per order of the engine's process${IN_PROCESS ? ' (sandboxes included)' : ''}`, value: median(runs.map((r) => r.engineCpuUs)), unit: 'µs' },
    ...(IN_PROCESS ? [] : [{ name: 'orders end to end: CPU per order of the two sandbox processes', value: median(runs.map((r) => r.sandboxCpuUs)), unit: 'µs' }]),
    { name: 'orders end to end: machine load (1-min average) at the end', value: loadavg()[0]!, unit: 'load' },
  ];
}
