// "202 only after the write is durable": a server process is killed with SIGKILL in the middle of
// a stream of webhooks; every event it acknowledged must be in the inbox, with its job, afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../core/db/database.js';
import { signWebhook } from './signature.js';

const dir = mkdtempSync(path.join(tmpdir(), 'syncline-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('every acknowledged webhook survives kill -9 of the server', async () => {
  const file = path.join(dir, 'db.sqlite');
  const secret = randomBytes(16).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'durability.child.ts'), file, secret], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  const exited = new Promise((r) => child.once('exit', r));

  const pool = new Pool(url, { connections: 8 });
  const acked: string[] = [];
  let failed = 0;
  let next = 0;
  const send = async () => {
    for (;;) {
      const id = `k-${next++}`;
      const body = JSON.stringify({ system: 'shop', entity: 'order', id, version: '0001', payload: { sku: 'A', n: next } });
      try {
        const res = await pool.request({ method: 'POST', path: '/webhooks/shop-main', body, headers: { 'content-type': 'application/json', 'x-syncline-signature': signWebhook(secret, body) } });
        await res.body.text();
        if (res.statusCode === 202) acked.push(id);
        else throw new Error(`status ${res.statusCode}`);
      } catch {
        failed++;
        return; // the server is gone
      }
    }
  };
  const senders = Array.from({ length: 8 }, send);
  // Kill while requests are in flight, once a few hundred were acknowledged.
  while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await Promise.all(senders);
  await exited;
  await pool.close();

  expect(failed).toBeGreaterThan(0);
  const store = await openStore({ dialect: 'sqlite', file });
  try {
    const ids = new Set((await store.db.selectFrom('events').select('record_id').execute()).map((r) => r.record_id));
    const missing = acked.filter((id) => !ids.has(id));
    expect(missing, 'acknowledged but lost').toEqual([]);
    const jobs = await store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(jobs.n)).toBe(ids.size);
    expect(ids.size).toBeGreaterThanOrEqual(acked.length);
  } finally {
    await store.close();
  }
});
