// First start against a shop that already has orders (issue 11): with `since`, the order poller
// starts at the cut-over and the shop's history stays out of Sage 300; `since` is read once (a
// restart with an earlier date changes nothing: the stored cursor wins); without `since`, a warn line
// says the first poll reads everything — and the history does arrive, which is what `since` prevents.
// Syncline is started from a YAML file (loadConfig, as `syncline start --config` does), the sandboxes
// over HTTP, Sage 300 counted over its own API.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { targetCounts } from '../../src/cli/commands/demo.js';
import type { Sage300Client } from '../../src/connectors/sage300/index.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { sleep, until } from './xcart-sage300-pair.js';

describe('first start against a shop with history', () => {
  let xcart: XcartSandbox;
  let sage300: Sage300Sandbox;
  let dir: string;
  let runtime: Runtime | undefined;
  let history: Set<string>;
  const lines: Array<{ level: number; msg: string; flow?: string }> = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } }));

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
    expect(lines.filter((l) => /has no `since`/.test(l.msg))).toEqual([]);
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

  it('no since: a warn line names the flow and the poller, and the first poll brings the whole history', async () => {
    lines.length = 0;
    runtime = await startSyncline(await writeConfig('no-since.yaml', 'other'), { logger });
    const warn = lines.find((l) => /has no `since`/.test(l.msg));
    expect(warn, JSON.stringify(lines.map((l) => l.msg))).toMatchObject({ level: 40, flow: 'xcart-order-to-sage300' });
    expect(warn!.msg).toContain('reads everything xcart-main:orders holds');
    // `config check` says the same before anything starts.
    const check = await promisify(execFile)(process.execPath, [path.join(import.meta.dirname, '../../bin/syncline.js'), 'config', 'check', path.join(dir, 'no-since.yaml')], { env: { ...process.env, XC_TOKEN: 't', SAGE_PASSWORD: 'p', NO_COLOR: '1' }, timeout: 180_000 });
    expect(check.stdout).toContain('note: xcart-order-to-sage300 has no `since`: the first start reads the source\'s whole history');
    // This is what `since` kept out above.
    await until('the history in Sage 300', () => targetCounts(erp(), history), (c) => c.delivered === 4, 90_000);
    await runtime.stop();
    // Once the poller has a cursor, a restart no longer warns.
    lines.length = 0;
    runtime = await startSyncline(await writeConfig('no-since.yaml', 'other'), { logger });
    expect(lines.filter((l) => /has no `since`/.test(l.msg))).toEqual([]);
  }, 300_000);
});
