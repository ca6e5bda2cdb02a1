// First start against systems that already hold history (issue 11). A configuration file must give
// each flow with a poller a starting point: without `since`, `config check` and `start` refuse the
// file (the flow, the polled connection, the choices; nothing written). With the cut-over as `since`
// only later orders reach Sage 300, and a restart with an earlier `since` changes nothing (the stored
// cursor wins); `since: all` is the explicit back-fill and brings the shop's history; `since: now` on a
// marketplace with nine days of orders takes none of them. Syncline is started from YAML files
// (loadConfig, as `syncline start --config` does), the sandboxes over HTTP, the ERPs counted over their own state.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { targetCounts } from '../../src/cli/commands/demo.js';
import type { Sage300Client } from '../../src/connectors/sage300/index.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { start as startAmazon, type RunningAmazonSandbox } from '../../src/sandboxes/amazon/index.js';
import { start as startX3, type SageX3Sandbox } from '../../src/sandboxes/sagex3/index.js';
import { sleep, until } from './xcart-sage300-pair.js';
import { writeMarketplaceTable, X3_SANDBOX_AUTH } from './amazon-x3-pair.js';
import { runCli } from '../support/cli.js';


describe('first start against a shop with history', () => {
  let xcart: XcartSandbox;
  let sage300: Sage300Sandbox;
  let dir: string;
  let runtime: Runtime | undefined;
  let history: Set<string>;
  const logger = pino({ level: 'silent' });

  const writeConfig = (name: string, dataDir: string, since?: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, [
      `dataDir: ./${dataDir}`,
      'server: { port: 0 }',
      'worker: { concurrency: 4, pollMs: 5 }',
      'connections:',
      `  - { id: xcart-main, system: xcart, config: { baseUrl: "${xcart.url}", token: "\${XC_TOKEN}" } }`,
      `  - { id: sage300-main, system: sage300, config: { baseUrl: "${sage300.url}", company: ${sage300.credentials.company}, user: ${sage300.credentials.user}, password: "\${SAGE_PASSWORD}" } }`,
      'flows:',
      '  - use: xcart-order-to-sage300',
      '    connections: { shop: xcart-main, erp: sage300-main }',
      '    pollIntervalMs: 200',
      '    options: { riskHold: false }',
      ...(since ? [`    since: "${since}"`] : []),
    ].join('\n'));
    return loadConfig(file, { env: { XC_TOKEN: xcart.credentials.readToken, SAGE_PASSWORD: sage300.credentials.password } });
  };
  const erp = () => runtime!.live.raw('sage300-main') as Sage300Client;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-first-start-'));
    xcart = await startXcart({ port: 0, seed: 1 });
    sage300 = await startSage300({ port: 0, seed: 1 });
    // The shop's past: four orders, then an hour goes by before Syncline is installed.
    history = new Set(xcart.storefront.placeOrders(4).map((o) => String(o.order_number)));
    xcart.storefront.advanceClock(3600);
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([xcart?.close(), sage300?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('since: the cut-over → only orders placed after it reach Sage 300; a restart with an earlier since changes nothing', async () => {
    const cutover = new Date(xcart.storefront.now() * 1000).toISOString();
    runtime = await startSyncline(await writeConfig('cutover.yaml', 'site', cutover), { logger });
    const fresh = new Set(xcart.storefront.placeOrders(3).map((o) => String(o.order_number)));
    await until('the 3 new orders in Sage 300', () => targetCounts(erp(), fresh), (c) => c.delivered === 3, 90_000);
    await sleep(1_500); // several more polls: nothing older comes after them
    const counts = await targetCounts(erp(), history);
    expect(counts.delivered).toBe(0);
    expect(counts.duplicates).toBe(0);
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
    // Metrics name connections by id (two Sage 300 companies are two series), events and jobs alike.
    const metrics = await (await request(`${runtime.url}/metrics`)).body.text();
    expect(metrics).toMatch(/syncline_events_received_total\{system="xcart",entity="order",connection="xcart-main"\} 3\b/);
    expect(metrics).toContain('syncline_jobs_succeeded_total{flow="xcart-order-to-sage300",connection="sage300-main"} 3');
    await runtime.stop();

    // `since` moved back before the history: the stored cursor wins, the history stays out.
    runtime = await startSyncline(await writeConfig('cutover.yaml', 'site', '2020-01-01'), { logger });
    const later = new Set(xcart.storefront.placeOrders(1).map((o) => String(o.order_number)));
    await until('the later order in Sage 300', () => targetCounts(erp(), later), (c) => c.delivered === 1, 90_000);
    await sleep(1_500);
    expect((await targetCounts(erp(), history)).delivered).toBe(0);
    await runtime.stop();
    runtime = undefined;
  }, 300_000);

  it('no since: `config check` and `start` refuse the file and write nothing; since: all back-fills the whole history', async () => {
    const file = path.join(dir, 'no-since.yaml');
    await expect(writeConfig('no-since.yaml', 'other')).rejects.toThrow(/flows\[0\] \(xcart-order-to-sage300\)\.since: required: the first poll of xcart-main:orders needs a starting point/);
    const env = { ...process.env, XC_TOKEN: 't', SAGE_PASSWORD: 'p', NO_COLOR: '1', SYNCLINE_DATABASE_URL: '' };
    const check = await runCli(['config', 'check', file], { env });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('flows[0] (xcart-order-to-sage300).since: required: the first poll of xcart-main:orders needs a starting point — since: now (from the start on), a date such as 2026-12-01 (a cut-over), or since: all (the whole history, a back-fill)');
    const start = await runCli(['start', '--config', file], { env });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain('CONFIG_INVALID');
    expect(start.stderr).toContain('xcart-main:orders needs a starting point');
    expect(existsSync(path.join(dir, 'other'))).toBe(false);

    // The explicit back-fill: the history `since` kept out above arrives, once each.
    runtime = await startSyncline(await writeConfig('all.yaml', 'other', 'all'), { logger });
    const counts = await until('the history in Sage 300', () => targetCounts(erp(), history), (c) => c.delivered === 4, 90_000);
    expect(counts.duplicates).toBe(0);
    await runtime.stop();
    runtime = undefined;
  }, 300_000);
});

describe('since: now on a marketplace with nine days of orders', () => {
  let amazon: RunningAmazonSandbox;
  let x3: SageX3Sandbox;
  let dir: string;
  let runtime: Runtime | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-first-start-now-'));
    // The account's past: 60 orders over the last nine days (the sandbox's default), up to 10 minutes ago.
    amazon = await startAmazon({ seed: 1, timeScale: 50 });
    x3 = await startX3({ seed: 1 });
    writeMarketplaceTable(path.join(dir, 'lookups'));
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([amazon?.close(), x3?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('only orders placed after the start reach X3; none of the history', async () => {
    const market = amazon.sandbox.market;
    const startedAt = amazon.sandbox.clock.now();
    const c = amazon.credentials as Record<string, string>;
    const file = path.join(dir, 'syncline.yaml');
    writeFileSync(file, [
      'dataDir: ./site',
      'lookupsDir: ./lookups',
      'server: { port: 0 }',
      'worker: { concurrency: 4, pollMs: 5 }',
      'connections:',
      `  - { id: amazon-main, system: amazon, config: { endpoint: "${amazon.url}", lwaUrl: "${c.lwaUrl ?? `${amazon.url}/auth/o2/token`}", clientId: "${c.clientId}", clientSecret: "\${AMAZON_SECRET}", refreshToken: "${c.refreshToken}", sellerId: "${c.sellerId}" } }`,
      `  - { id: x3-main, system: sagex3, config: { baseUrl: "${x3.url}", auth: { type: basic, user: ${X3_SANDBOX_AUTH.auth.user}, password: "${X3_SANDBOX_AUTH.auth.password}" }, poolAlias: ${X3_SANDBOX_AUTH.poolAlias} } }`,
      'flows:',
      '  - { use: amazon-order-to-sagex3, connections: { marketplace: amazon-main, erp: x3-main }, since: now, pollIntervalMs: 200, options: { riskHold: false } }',
    ].join('\n'));
    runtime = await startSyncline(await loadConfig(file, { env: { AMAZON_SECRET: c.clientSecret! } }), { logger: pino({ level: 'silent' }) });
    // Orders unchanged since before the start; Unshipped ones are what the flow would otherwise take.
    const old = market.orders.filter((o) => o.lastUpdate < startedAt);
    expect(old.length).toBeGreaterThan(50);
    expect(old.filter((o) => o.status === 'Unshipped').length).toBeGreaterThan(0);
    const fresh = [market.placeOrder({ channel: 'MFN', status: 'Unshipped', purchaseDate: amazon.sandbox.clock.now() })];
    const refs = () => [...x3.state.stores.SOH.values()].map((r) => String(r.fields.CUSORDREF));
    await until('the new order in X3', refs, (r) => fresh.every((o) => r.includes(o.id)), 90_000);
    await sleep(1_500); // several more polls: nothing older comes after it
    expect(refs().filter((r) => old.some((o) => o.id === r))).toEqual([]);
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
  }, 300_000);
});
