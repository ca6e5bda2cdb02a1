// Configuration and operations end to end (issues 10 and 11, decision 0007): the `syncline` command
// against real files, a real SQLite store and the X-Cart and Sage 300 sandboxes over HTTP.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config.js';
import type { Sage300Client } from '../../src/connectors/sage300/index.js';
import { startSyncline, type Runtime } from '../../src/main.js';
import { start as startXcart, type XcartSandbox } from '../../src/sandboxes/xcart/index.js';
import { start as startSage300, type Sage300Sandbox } from '../../src/sandboxes/sage300/index.js';
import { targetCounts } from '../../src/cli/commands/demo.js';
import type { HealthAlert } from '../../src/core/connection-health.js';
import { openStore } from '../../src/core/db/database.js';
import { createQueue } from '../../src/core/queue/sql-queue.js';

const root = path.resolve(import.meta.dirname, '../..');
import { sleep, until } from '../support/wait.js';

/** Runs the CLI as a user would; never throws (exit code, stdout and stderr are checked). */
async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/syncline.js'), ...args], {
      cwd: opts.cwd ?? root,
      env: { ...process.env, SYNCLINE_DATABASE_URL: '', ...opts.env },
      // Through tsx on a loaded machine one call can take many seconds; from dist/ (after npm ci) well under one.
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}


describe('configuration: strict, every problem at once, nothing written', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('typos (`conections:`, `flow:`), a bad value and a missing ${ENV} are all listed, with paths and connection ids; no store is created', async () => {
    const file = path.join(dir, 'typos.yaml');
    writeFileSync(
      file,
      [
        'dataDir: ./state',
        'conections:',
        '  - { id: shop, system: xcart, config: { baseUrl: "http://127.0.0.1:1" } }',
        'flow:',
        '  - { use: xcart-order-to-sage300, connections: { shop: shop, erp: erp } }',
        'connections:',
        '  - id: erp',
        '    system: sage300',
        '    config: { baseUrl: "not a url", company: SAMLTD, user: WEBAPI, password: "${SYNCLINE_TEST_UNSET_PASSWORD}" }',
        '    rateLimts: {}',
        'server: { port: 99999 }',
      ].join('\n'),
    );
    const r = await cli(['config', 'check', file, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; problems: Array<{ path: string; message: string }> };
    expect(out.ok).toBe(false);
    const text = out.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).toContain('unknown key "conections" (did you mean "connections"?)');
    expect(text).toContain('unknown key "flow" (did you mean "flows"?)');
    expect(text).toMatch(/connections\[0\] \(erp\): unknown key "rateLimts" \(did you mean "rateLimits"\?\)/);
    expect(text).toContain('connections[0] (erp).config.password: environment variable SYNCLINE_TEST_UNSET_PASSWORD is not set');
    expect(text).toMatch(/server\.port/);
    // `start` refuses the same file before writing anything: no data folder, no store, no key.
    const start = await cli(['start', '--config', file]);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain('CONFIG_INVALID');
    expect(start.stderr).toContain('conections');
    expect(existsSync(path.join(dir, 'state'))).toBe(false);
  }, 400_000);

  it('a good file: ${ENV} filled in, paths relative to the file, since accepted; store commands use its store from any folder', async () => {
    const sub = path.join(dir, 'site');
    const file = path.join(dir, 'good.yaml');
    writeFileSync(
      file,
      [
        'dataDir: ./site',
        'lookupsDir: ./lookups',
        'connections:',
        '  - { id: shop, system: xcart, config: { baseUrl: "http://127.0.0.1:1", token: "${SYNCLINE_TEST_TOKEN}" } }',
        '  - { id: erp, system: sage300, config: { baseUrl: "http://127.0.0.1:2", company: SAMLTD, user: WEBAPI, password: "${SYNCLINE_TEST_PASSWORD}" } }',
        'flows:',
        '  - { use: xcart-order-to-sage300, connections: { shop: shop, erp: erp }, since: "2026-12-01", options: { note: x } }',
      ].join('\n'),
    );
    const env = { SYNCLINE_TEST_TOKEN: 'tok', SYNCLINE_TEST_PASSWORD: 'pw' };
    const r = await cli(['config', 'check', file, '--json'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; store: string; masterKey: string; flows: Array<{ since: string }> };
    expect(out.ok).toBe(true);
    expect(out.store).toBe(`sqlite:${path.join(sub, 'syncline.db')}`);
    expect(out.masterKey).toBe(path.join(sub, 'master.key'));
    expect(out.flows[0]!.since).toBe('2026-12-01');
    // A read command from another folder names the same store, says so on stderr, and creates nothing
    // (the store does not exist yet: STORE_MISSING, exit 1). $SYNCLINE_DATABASE_URL does not override --config.
    const runs = await cli(['runs', '--config', file, '--json'], { cwd: tmpdir(), env: { SYNCLINE_DATABASE_URL: 'sqlite:/nonexistent/other.db' } });
    expect(runs.code).toBe(1);
    expect(runs.stderr).toContain(`store sqlite:${path.join(sub, 'syncline.db')} (from --config ${file}; ignored $SYNCLINE_DATABASE_URL)`);
    expect(runs.stderr).toContain('STORE_MISSING');
    expect(existsSync(sub)).toBe(false);
  }, 400_000);
});

describe('read commands on a missing store, bad options', () => {
  it('runs --db sqlite:/nonexistent/x.db fails and creates neither folder nor file; --status bogus is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syncline-missing-'));
    try {
      const target = path.join(dir, 'nope', 'x.db');
      const r = await cli(['runs', '--db', `sqlite:${target}`, '--json']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('STORE_MISSING');
      // Under --json stdout is one JSON document, failures included.
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'STORE_MISSING' } });
      expect(existsSync(path.join(dir, 'nope'))).toBe(false);
      const d = await cli(['dlq', 'replay', '--all', '--db', `sqlite:${target}`]);
      expect(d.code).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
      const bogus = await cli(['runs', '--status', 'bogus', '--db', `sqlite:${target}`]);
      expect(bogus.code).toBe(1);
      expect(bogus.stderr).toContain('--status must be one of succeeded, skipped, retrying, dead');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});

describe('a test at start', () => {
  it('a system that is down: the start goes on, the connection is degraded with the reason, /readyz says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syncline-down-'));
    const xcart = await startXcart({ port: 0, seed: 1 });
    let runtime: Runtime | undefined;
    try {
      const config = parseConfig({
        dataDir: dir,
        server: { port: 0 },
        connections: [
          { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken } },
          // Nothing listens on port 9 of loopback: connection refused.
          { id: 'sage300-main', system: 'sage300', config: { baseUrl: 'http://127.0.0.1:9', company: 'SAMLTD', user: 'WEBAPI', password: 'WEBAPI' } },
        ],
        flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, since: 'now' }],
      });
      runtime = await startSyncline(config, { listen: true });
      expect(runtime.health.get('xcart-main')?.state).toBe('ok');
      expect(runtime.health.get('sage300-main')).toMatchObject({ state: 'degraded', lastTest: { ok: false } });
      const ready = (await (await request(`${runtime.url}/readyz`)).body.json()) as { status: string; connections: Array<{ connection: string; reason?: string }> };
      expect(ready.status).toBe('degraded');
      expect(ready.connections.find((c) => c.connection === 'sage300-main')?.reason).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await runtime?.stop();
      await xcart.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('dlq replay --payload', () => {
  it('takes the business payload and keeps the envelope; a file that changes the version is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syncline-replay-'));
    try {
      const file = path.join(dir, 'syncline.db');
      const store = await openStore({ dialect: 'sqlite', file });
      const queue = createQueue(store);
      const envelope = { eventId: null, system: 'xcart', entity: 'order', id: '77', version: '000000000100.0000', payload: { order_number: '77', items: [{ sku: 'BAD' }] } };
      const [id] = await queue.enqueue([{ queue: 'xcart-order-to-sage300', payload: envelope, orderingKey: 'xcart:order:77' }]);
      const [job] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: 10_000 });
      await queue.deadLetter({ id: job!.id, attempt: job!.attempt }, { code: 'X', kind: 'user', message: 'bad sku', details: {} });
      await store.close();

      const edited = path.join(dir, 'order.json');
      writeFileSync(edited, JSON.stringify({ ...envelope, version: '999999999999.0000', payload: { order_number: '77', items: [{ sku: 'GOOD' }] } }));
      const refused = await cli(['dlq', 'replay', String(id), '--payload', edited, '--db', `sqlite:${file}`]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("changes the job's envelope (version)");

      writeFileSync(edited, JSON.stringify({ order_number: '77', items: [{ sku: 'GOOD' }] }));
      const ok = await cli(['dlq', 'replay', String(id), '--payload', edited, '--db', `sqlite:${file}`, '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({ replayed: 1, of: 1 });
      const after = await openStore({ dialect: 'sqlite', file, readonly: true });
      const replayed = await createQueue(after).get(id!);
      await after.close();
      expect(replayed?.state).toBe('queued');
      expect(replayed?.payload).toEqual({ ...envelope, payload: { order_number: '77', items: [{ sku: 'GOOD' }] } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});

describe('connections: rotated credentials pause, a live edit resumes; nothing dead-lettered', () => {
  let xcart: XcartSandbox;
  let sage300: Sage300Sandbox;
  let runtime: Runtime;
  let dir: string;
  const alerts: HealthAlert[] = [];
  let token: string;
  const api = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', p: string, body?: unknown) =>
    request(`${runtime.url}/api${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-rotate-'));
    xcart = await startXcart({ port: 0, seed: 1 });
    // The ERP's password was rotated: the configuration still has the old one.
    sage300 = await startSage300({ port: 0, seed: 1, credentials: { password: 'ROTATED-2026' } });
    const config = parseConfig({
      dataDir: dir,
      server: { port: 0 },
      worker: { concurrency: 8, pollMs: 5 },
      // No test at start: the failure must come from the work itself (the worker's hold path).
      health: { testAtStart: false, retestMs: 1_000 },
      connections: [
        { id: 'xcart-main', system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken } },
        { id: 'sage300-main', system: 'sage300', config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user, password: 'WEBAPI' } },
      ],
      flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'xcart-main', erp: 'sage300-main' }, pollIntervalMs: 100, since: new Date(Date.now() - 1000).toISOString() }],
    });
    runtime = await startSyncline(config, { listen: true });
    runtime.health.onAlert((a) => alerts.push(a));
    token = (await runtime.tokens.create('ops-test', 'admin')).token;
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([xcart?.close(), sage300?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('orders wait while the credentials are refused, and all arrive once a connection edit fixes them', async () => {
    const placed = new Set(xcart.storefront.placeOrders(5).map((o) => String(o.order_number)));
    await until('paused', async () => runtime.health.get('sage300-main')?.state, (s) => s === 'paused');
    const paused = alerts.find((a) => a.connection === 'sage300-main' && a.state === 'paused')!;
    expect(paused.code).toMatch(/AUTH_FAILED/);
    expect(paused.reason).toContain('credentials refused');
    await sleep(2_500); // several hold periods and retests: still nothing dead
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
    const ready = (await (await request(`${runtime.url}/readyz`)).body.json()) as { status: string; connections: Array<{ connection: string; state: string; reason?: string }> };
    expect(ready.status).toBe('degraded');
    expect(ready.connections.find((c) => c.connection === 'sage300-main')).toMatchObject({ state: 'paused' });

    // The API test says why; then the operator puts the new password: applied live, no restart.
    const test = (await (await api('POST', '/connections/sage300-main/test')).body.json()) as { ok: boolean; error?: { authFailure: boolean } };
    expect(test.ok).toBe(false);
    expect(test.error?.authFailure).toBe(true);
    const put = await api('PUT', '/connections/sage300-main', { system: 'sage300', config: { baseUrl: sage300.url, company: sage300.credentials.company, user: sage300.credentials.user }, secrets: { password: 'ROTATED-2026' } });
    expect(put.statusCode, await put.body.text()).toBe(200);
    await until('resumed', async () => runtime.health.get('sage300-main')?.state, (s) => s === 'ok');
    const sage = runtime.live.raw('sage300-main') as Sage300Client;
    await until('5 orders in Sage 300', () => targetCounts(sage, placed), (c) => c.delivered === 5, 60_000);
    expect(await runtime.engine.queue.list({ state: 'dead', limit: 10 })).toEqual([]);
    expect((await targetCounts(sage, placed)).duplicates).toBe(0);
    expect(alerts.some((a) => a.connection === 'sage300-main' && a.state === 'ok' && a.previous === 'paused')).toBe(true);
    const metrics = await (await request(`${runtime.url}/metrics`)).body.text();
    expect(metrics).toContain('syncline_connection_health{connection="sage300-main",state="ok"} 1');
  }, 400_000);

  it('a connection a flow uses cannot be deleted (409); an unused one can', async () => {
    const del = await api('DELETE', '/connections/sage300-main');
    expect(del.statusCode).toBe(409);
    expect(((await del.body.json()) as { code: string }).code).toBe('CONNECTION_IN_USE');
    const extra = await api('PUT', '/connections/spare', { system: 'xcart', config: { baseUrl: xcart.url, token: xcart.credentials.readToken } });
    expect(extra.statusCode, await extra.body.text()).toBe(200);
    const ok = (await (await api('POST', '/connections/spare/test')).body.json()) as { ok: boolean };
    expect(ok.ok).toBe(true);
    expect((await api('DELETE', '/connections/spare')).statusCode).toBe(204);
  }, 60_000);

  it('`syncline connection test` uses the stored settings; `runs show` prints payloads; `runs --json` is one JSON document', async () => {
    const db = `sqlite:${path.join(dir, 'syncline.db')}`;
    const env = { SYNCLINE_LOG_LEVEL: 'info' };
    const t = await cli(['connection', 'test', 'sage300-main', '--db', db, '--json'], { env });
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ connection: 'sage300-main', ok: true });
    const list = await cli(['runs', '--db', db, '--json', '--status', 'succeeded', '--limit', '1'], { env });
    expect(list.code, list.stderr).toBe(0);
    const runs = JSON.parse(list.stdout) as Array<{ id: number }>;
    expect(runs).toHaveLength(1);
    const show = await cli(['runs', 'show', String(runs[0]!.id), '--db', db]);
    expect(show.code, show.stderr).toBe(0);
    // recordPayloads defaults to 'errors': a run that succeeded shows each step's outcome, not the
    // record again (the order is kept once, in the inbox); a failed attempt keeps its step's input.
    expect(show.stdout).toContain('output:');
    expect(show.stdout).not.toContain('input:');
    // A held attempt left a run with the failing step, its input and its error.
    const retrying = JSON.parse((await cli(['runs', '--db', db, '--json', '--status', 'retrying', '--limit', '1'])).stdout) as Array<{ id: number }>;
    expect(retrying.length).toBe(1);
    const failed = await cli(['runs', 'show', String(retrying[0]!.id), '--db', db]);
    expect(failed.stdout).toContain('← failed here');
    expect(failed.stdout).toContain('input:');
    expect(failed.stdout).toMatch(/AUTH_FAILED/);
  }, 400_000);
});

describe('progress on a terminal', () => {
  // A pseudo-terminal from util-linux `script`, as a person at a shell would have.
  const hasScript = existsSync('/usr/bin/script');
  it.skipIf(!hasScript)('`dlq replay --all` draws a bar on a terminal (1,200 letters, batches of 500) and none when piped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syncline-progress-'));
    try {
      const file = path.join(dir, 'syncline.db');
      const store = await openStore({ dialect: 'sqlite', file });
      const queue = createQueue(store);
      const n = 1_200;
      const letters = (flow: string, count: number) => Array.from({ length: count }, (_, i) => ({ queue: flow, payload: { eventId: null, system: 'xcart', entity: 'order', id: `${flow}-${i}`, version: '1', payload: {} }, orderingKey: `${flow}:${i}` }));
      await queue.enqueue([...letters('xcart-order-to-sage300', n), ...letters('xcart-payment-to-sage300', 600)]);
      for (const job of await queue.claim({ workerId: 'w', limit: n + 600, leaseMs: 60_000 })) await queue.deadLetter({ id: job.id, attempt: job.attempt }, { code: 'X', kind: 'user', message: 'bad', details: {} });
      await store.close();
      const cmd = [process.execPath, path.join(root, 'bin/syncline.js'), 'dlq', 'replay', '--all', '--flow', 'xcart-order-to-sage300', '--db', `sqlite:${file}`].map((a) => `'${a}'`).join(' ');
      const { stdout } = await promisify(execFile)('/usr/bin/script', ['-qec', cmd, '/dev/null'], { cwd: root, env: { ...process.env, SYNCLINE_DATABASE_URL: '', TERM: 'xterm' }, timeout: 180_000 });
      expect(stdout).toMatch(/replaying \[[█░]+\] 1200\/1200 100%/);
      expect(stdout).toContain('replayed 1200 of 1200');
      // Piped: no bar on stderr, the result on stdout.
      const piped = await cli(['dlq', 'replay', '--all', '--flow', 'xcart-payment-to-sage300', '--db', `sqlite:${file}`]);
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stdout).toBe('replayed 600 of 600\n');
      expect(piped.stderr).not.toContain('replaying');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});

describe('a store command from another folder names the running server\'s store', () => {
  it('`token create --config FILE` run elsewhere mints a token the server started from FILE accepts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syncline-token-'));
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'syncline-cwd-'));
    let runtime: Runtime | undefined;
    try {
      const file = path.join(dir, 'syncline.yaml');
      writeFileSync(file, ['dataDir: ./site', 'server: { port: 0 }', 'health: { testAtStart: false }'].join('\n'));
      runtime = await startSyncline(await loadConfig(file), { listen: true });
      const created = await cli(['token', 'create', 'ops', '--role', 'admin', '--config', file], { cwd: elsewhere });
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toContain(`store sqlite:${path.join(dir, 'site', 'syncline.db')} (from --config ${file})`);
      const token = created.stdout.trim();
      const res = await request(`${runtime.url}/api/connections`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      // Nothing was created where the command ran.
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      await runtime?.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 400_000);
});

describe('logs: JSON lines when piped, human lines with --log-format pretty; stdout stays empty', () => {
  it('`syncline start` piped, then with --log-format pretty', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syncline-logs-'));
    const startOnce = async (extra: string[]) => {
      const child = spawn(process.execPath, [path.join(root, 'bin/syncline.js'), 'start', '--config', path.join(dir, 'syncline.yaml'), ...extra], { cwd: dir, env: { ...process.env, SYNCLINE_DATABASE_URL: '', SYNCLINE_LOG_LEVEL: 'info', SYNCLINE_LOG_FORMAT: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      try {
        await until('started', async () => stderr, (s) => s.includes('syncline started'), 180_000);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      return { stdout, lines: stderr.split('\n').filter(Boolean) };
    };
    try {
      writeFileSync(path.join(dir, 'syncline.yaml'), ['dataDir: ./site', 'server: { port: 0 }'].join('\n'));
      const piped = await startOnce([]);
      expect(piped.stdout).toBe('');
      for (const l of piped.lines) expect(() => JSON.parse(l), l).not.toThrow();
      expect(piped.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('syncline started');
      const pretty = await startOnce(['--log-format', 'pretty']);
      expect(pretty.stdout).toBe('');
      const started = pretty.lines.find((l) => l.includes('syncline started'))!;
      expect(started).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: syncline started/);
      expect(pretty.lines.some((l) => l.trimStart().startsWith('{'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});
