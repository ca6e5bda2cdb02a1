// No-op jobs through the durable queue: enqueue → run → ack, committed (SQLite WAL, synchronous=NORMAL;
// PostgreSQL with its default synchronous_commit=on). Worker processes are separate from the enqueuer.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/core/db/database.js';
import { createQueue } from '../../src/core/queue/sql-queue.js';
import { PG_URL, dropSchema, uniqueSchema } from '../../test/support/pg.js';
import type { Figure } from '../run.js';
import { median } from '../support/stats.js';

const JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const workerScript = path.resolve(import.meta.dirname, '../support/queue-worker.ts');

async function drain(store: Store, url: string, schema: string, processes: number): Promise<number> {
  const queue = createQueue(store);
  // Jobs are enqueued first, then timed from the moment the workers are ready until the queue is empty.
  for (let i = 0; i < JOBS; i += 1000) await queue.enqueue(Array.from({ length: Math.min(1000, JOBS - i) }, (_, n) => ({ queue: 'noop', payload: { n: i + n } })));
  const children = await Promise.all(
    Array.from({ length: processes }, () => {
      const child = fork(workerScript, [url, schema, process.env.BENCH_QUEUE_CONCURRENCY ?? '256'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      return new Promise<typeof child>((resolve) => child.once('message', () => resolve(child)));
    }),
  );
  const t0 = performance.now();
  for (;;) {
    const [row] = await store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).execute();
    if (Number(row!.n) === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(children.map((c) => new Promise((r) => (c.once('exit', r), c.send('stop')))));
  return JOBS / seconds;
}

async function sqliteRun(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncline-bench-'));
  const file = path.join(dir, 'bench.db');
  const store = await openStore({ dialect: 'sqlite', file });
  try {
    return await drain(store, `sqlite:${file}`, '', 1);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pgRun(processes: number): Promise<number> {
  const schema = uniqueSchema('bench');
  const store = await openStore({ dialect: 'postgres', url: PG_URL, schema });
  try {
    return await drain(store, PG_URL, schema, processes);
  } finally {
    await store.close();
    await dropSchema(schema);
  }
}

export default async function (): Promise<Figure[]> {
  const sqlite: number[] = [];
  const pg1: number[] = [];
  const pg3: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    sqlite.push(await sqliteRun());
    pg1.push(await pgRun(1));
    pg3.push(await pgRun(3));
  }
  return [
    { name: `queue no-op jobs/s, SQLite, 1 worker process (median of ${RUNS})`, value: median(sqlite), unit: 'jobs/s', target: '>= 5000' },
    { name: `queue no-op jobs/s, PostgreSQL, 1 worker process (median of ${RUNS})`, value: median(pg1), unit: 'jobs/s', target: '>= 3000' },
    { name: `queue no-op jobs/s, PostgreSQL, 3 worker processes (median of ${RUNS})`, value: median(pg3), unit: 'jobs/s' },
    { name: 'queue PostgreSQL scale-out, 3 processes ÷ 1', value: median(pg3) / median(pg1), unit: '×', target: '>= 2.5' },
  ];
}
