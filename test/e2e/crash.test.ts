// Crash test (issue 2): a separate worker process runs 2,000 jobs with random delays and is killed
// with SIGKILL several times mid-run, then restarted. Every job's effect must be applied exactly once
// (counted in the sink, not in executions); the number of re-executions is reported.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/core/db/database.js';
import { createQueue } from '../../src/core/queue/sql-queue.js';
import { PG_URL, dropSchema, uniqueSchema } from '../support/pg.js';

const JOBS = 2_000;
const script = path.resolve(import.meta.dirname, '../support/crash-worker.ts');

function startWorker(url: string, schema: string): Promise<ChildProcess> {
  const child = fork(script, [url, schema], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function crashRun(store: Store, url: string, schema: string) {
  const big = store.dialect === 'postgres' ? 'bigserial' : 'integer';
  await sql.raw(`create table crash_executions (id ${big} primary key, n integer not null, attempt integer not null)`).execute(store.db);
  await sql.raw(`create table crash_effects (id ${big} primary key, n integer not null)`).execute(store.db);
  const queue = createQueue(store);
  await queue.enqueue(Array.from({ length: JOBS }, (_, n) => ({ queue: 'effect', payload: { n }, orderingKey: `k${n % 50}` })));

  let kills = 0;
  for (let i = 0; i < 4; i++) {
    const child = await startWorker(url, schema);
    await sleep(250 + Math.random() * 400);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    kills++;
  }
  const last = await startWorker(url, schema);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const left = await store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(left.n) === 0) break;
    await sleep(200);
  }
  last.kill('SIGTERM');
  await new Promise((r) => last.once('exit', r));

  const effects = await sql<{ n: number; c: number }>`select n, count(*) as c from crash_effects group by n`.execute(store.db);
  const executions = await sql<{ c: number }>`select count(*) as c from crash_executions`.execute(store.db);
  return { kills, effects: effects.rows.map((r) => ({ n: Number(r.n), c: Number(r.c) })), executions: Number(executions.rows[0]!.c) };
}

describe('crash test: SIGKILLed workers lose nothing and apply nothing twice', () => {
  const dirs: string[] = [];
  const schemas: string[] = [];
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const s of schemas) await dropSchema(s);
  });

  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`${dialect}: ${JOBS} jobs, worker killed 4 times`, async () => {
      let url: string;
      let schema = '';
      let store: Store;
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(path.join(tmpdir(), 'syncline-crash-'));
        dirs.push(dir);
        url = `sqlite:${path.join(dir, 'crash.db')}`;
        store = await openStore({ dialect: 'sqlite', file: path.join(dir, 'crash.db') });
      } else {
        schema = uniqueSchema('crash');
        schemas.push(schema);
        url = PG_URL;
        store = await openStore({ dialect: 'postgres', url, schema });
      }
      try {
        const { kills, effects, executions } = await crashRun(store, url, schema);
        const once = effects.filter((e) => e.c === 1).length;
        console.log(`[crash ${dialect}] kills=${kills} jobs=${JOBS} effects-once=${once} executions=${executions} re-executions=${executions - JOBS}`);
        expect(effects).toHaveLength(JOBS);
        expect(effects.every((e) => e.c === 1)).toBe(true);
        expect(new Set(effects.map((e) => e.n)).size).toBe(JOBS);
        expect(executions).toBeGreaterThanOrEqual(JOBS);
      } finally {
        await store.close();
      }
    }, 180_000);
  }
});
