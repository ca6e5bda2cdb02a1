// Webhook intake with a durable ack on SQLite: each 202 means the event and its job committed (WAL,
// synchronous=NORMAL: survives a crash of the process). Load comes from a second process on loopback
// (webhook-load.mjs). Workers are not started: this measures intake, not delivery.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { ConnectionStore } from '../../src/core/connections.js';
import { openStore } from '../../src/core/db/database.js';
import { Engine } from '../../src/core/engine.js';
import { defineFlow } from '../../src/core/flow.js';
import { SecretBox } from '../../src/core/secrets.js';
import { ApiTokenStore } from '../../src/core/tokens.js';
import { buildServer } from '../../src/server/index.js';
import type { Figure } from '../run.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

function runLoad(args: Record<string, unknown>): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'webhook-load.mjs'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * The same load against a bare Fastify route answering 202 at once: what HTTP alone gives on this
 * machine right now. On a shared 2-core box it moves a lot; read the intake figures against it.
 */
async function httpCeiling(total: number, concurrency: number): Promise<LoadResult> {
  const bare = Fastify({ logger: false });
  bare.removeAllContentTypeParsers();
  bare.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  bare.post('/webhooks/:connection', async (_req, reply) => reply.code(202).send({ accepted: 1, duplicates: 0, jobs: 1 }));
  const url = await bare.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await runLoad({ url, secret: 'unused', connection: 'bare', total, concurrency, warmup: 1000, maxMs: 10_000, runId: 'bare' });
  } finally {
    await bare.close();
  }
}

export default async function webhookBench(): Promise<Figure[]> {
  const total = Number(process.env.BENCH_WEBHOOK_REQUESTS ?? 30_000);
  const concurrency = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 16);
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-webhook-'));
  const store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'bench.sqlite') });
  const flow = defineFlow({ id: 'bench-orders', description: 'bench', source: { system: 'benchshop', entity: 'order' }, target: { system: 'sink', entity: 'order' }, steps: [{ name: 'noop', run: (x: unknown) => x }] });
  const engine = new Engine({ store, flows: [flow], deps: {} });
  const connections = new ConnectionStore(store.db, SecretBox.fromKey(randomBytes(32).toString('hex')));
  const secret = randomBytes(24).toString('hex');
  await connections.upsert({ id: 'bench-shop', system: 'benchshop', secrets: { webhookSecret: secret } });
  const app = buildServer({ engine, connections, tokens: new ApiTokenStore(store.db), webhookSecrets: (id) => connections.webhookSecret(id) });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const args = { url, secret, connection: 'bench-shop', total, concurrency, warmup: 1000, maxMs: 20_000, runId: randomBytes(4).toString('hex') };
    const cpu0 = process.cpuUsage();
    const load = await runLoad(args);
    const cpu = process.cpuUsage(cpu0);
    if (load.failed > 0) throw new Error(`webhook bench: ${load.failed} requests were not accepted: ${JSON.stringify(load.statuses)}`);
    // Each 202 must be a stored event with its job: check, so a fast but lossy server cannot pass.
    const events = Number((await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const jobs = Number((await store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (events !== load.ok + args.warmup || jobs !== events) throw new Error(`webhook bench: ${load.ok + args.warmup} accepted but ${events} events and ${jobs} jobs stored`);
    const ceiling = await httpCeiling(total, concurrency);
    return [
      { name: `webhook intake, durable 202 (SQLite, ${concurrency} in flight)`, value: Math.round(load.rps), unit: 'req/s', target: '>= 3000' },
      { name: 'webhook intake latency p50', value: Number(load.p50.toFixed(2)), unit: 'ms' },
      { name: 'webhook intake latency p99', value: Number(load.p99.toFixed(2)), unit: 'ms', target: '< 20' },
      // CPU the server process spent per request (warm-up included): a figure other processes on a
      // busy machine cannot distort; 1e6 / it is the rate one free core could sustain.
      { name: 'webhook intake server CPU per request', value: Math.round((cpu.user + cpu.system) / (load.sent + args.warmup)), unit: 'µs' },
      { name: 'HTTP ceiling now: bare Fastify 202, same load', value: Math.round(ceiling.rps), unit: 'req/s' },
      { name: 'HTTP ceiling now: bare Fastify 202 latency p99', value: Number(ceiling.p99.toFixed(2)), unit: 'ms' },
    ];
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
