// Operator commands straight on the store: runs, dead letters, API tokens, and `start`.
// They need no running server: `--db` (or SYNCLINE_DATABASE_URL, or --config) names the store.
import { Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../config.js';
import { openStore, storeOptionsFromUrl, type Store } from '../../core/db/database.js';
import { createQueue } from '../../core/queue/sql-queue.js';
import { RunStore } from '../../core/runs.js';
import { ApiTokenStore } from '../../core/tokens.js';
import { isRole, ROLES } from '../../core/roles.js';
import { userError } from '../../core/errors.js';
import { startSyncline, type Role } from '../../main.js';

interface DbOptions {
  db?: string;
  config?: string;
  json?: boolean;
}

async function storeFrom(o: DbOptions): Promise<Store> {
  let url = o.db ?? process.env.SYNCLINE_DATABASE_URL;
  if (!url && o.config) {
    const config = await loadConfig(o.config);
    url = config.database ?? `sqlite:${path.join(config.dataDir, 'syncline.db')}`;
  }
  return openStore(storeOptionsFromUrl(url ?? 'sqlite:./data/syncline.db'));
}

const withDb = (cmd: Command) =>
  cmd
    .option('--db <url>', 'store URL: sqlite:PATH or postgres://… (default $SYNCLINE_DATABASE_URL or sqlite:./data/syncline.db)')
    .option('--config <file>', 'read the store URL from this configuration')
    .option('--json', 'machine-readable output');

async function using<T>(o: DbOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await storeFrom(o);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const ids = (values: string[]) =>
  values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`"${v}" is not a dead-letter id`);
    return n;
  });

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export function registerAdmin(program: Command): void {
  program
    .command('start')
    .description('run the engine, pollers and server from a configuration file')
    .requiredOption('--config <file>', 'YAML or JSON configuration (see docs/configuration.md)')
    .addOption(new Option('--role <role>', 'intake: webhooks + admin API; worker: jobs + pollers; all: both (intake/worker need PostgreSQL)').choices(['intake', 'worker', 'all']).default('all'))
    .action(async (o: { config: string; role: Role }) => {
      const runtime = await startSyncline(await loadConfig(o.config), { role: o.role });
      runtime.logger.info({ url: runtime.url, role: o.role, flows: runtime.engine.flows.map((f) => f.id) }, 'syncline started');
      const stop = async (signal: string) => {
        runtime.logger.info({ signal }, 'draining in-flight jobs');
        await runtime.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });

  const runs = withDb(program.command('runs').description('list recent runs (each event\'s history through its flow)'))
    .option('--flow <id>', 'only this flow')
    .option('--status <status>', 'succeeded | skipped | retrying | dead')
    .option('--limit <n>', 'how many', '20')
    .action(async (o: DbOptions & { flow?: string; status?: string; limit: string }) => {
      await using(o, async (store) => {
        const list = await new RunStore(store.db).list({ flow: o.flow, status: o.status, limit: Number(o.limit) });
        if (o.json) return console.log(JSON.stringify(list));
        for (const r of list) console.log(`${String(r.id).padStart(6)}  ${time(r.finishedAt)}  ${r.status.padEnd(9)} ${r.flow}  ${r.recordKey}  attempt ${r.attempt}${r.error ? `  ${r.error.code}: ${r.error.message}` : ''}`);
        if (list.length === 0) console.log('no runs');
      });
    });
  withDb(runs.command('show').description('one run, step by step').argument('<id>'))
    .action(async (id: string, _o: DbOptions, cmd: Command) => {
      // `runs` has the same options: commander may have given --db to the parent.
      const o = cmd.optsWithGlobals() as DbOptions;
      await using(o, async (store) => {
        const run = await new RunStore(store.db).get(Number(id));
        if (!run) {
          console.error(`no run ${id}`);
          process.exitCode = 1;
          return;
        }
        if (o.json) return console.log(JSON.stringify(run));
        console.log(`run ${run.id}: ${run.flow} ${run.recordKey} — ${run.status} (attempt ${run.attempt}, job ${run.jobId}, event ${run.eventId})`);
        for (const s of run.steps ?? []) {
          console.log(`  ${s.step.padEnd(12)} ${s.status.padEnd(7)} ${s.durationMs.toFixed(1)} ms${s.error ? `  ${s.error.code}: ${s.error.message}` : ''}`);
        }
      });
    });

  const dlq = program.command('dlq').description('dead letters: list, show, edit, replay, discard');
  withDb(dlq.command('list').description('jobs that failed permanently or ran out of retries'))
    .option('--flow <id>', 'only this flow')
    .option('--limit <n>', 'how many', '50')
    .action(async (o: DbOptions & { flow?: string; limit: string }) => {
      await using(o, async (store) => {
        const list = await createQueue(store).list({ state: 'dead', queue: o.flow, limit: Number(o.limit) });
        if (o.json) return console.log(JSON.stringify(list));
        for (const j of list) console.log(`${String(j.id).padStart(6)}  ${time(j.updatedAt)}  ${j.queue}  ${j.orderingKey ?? ''}  attempts ${j.attempts}  ${j.lastError?.code}: ${j.lastError?.message}`);
        if (list.length === 0) console.log('no dead letters');
      });
    });
  withDb(dlq.command('show').description('one dead letter: error, inputs, attempt history').argument('<id>')).action(async (id: string, o: DbOptions) => {
    await using(o, async (store) => {
      const job = await createQueue(store).get(Number(id));
      if (!job || job.state !== 'dead') {
        console.error(`no dead letter ${id}`);
        process.exitCode = 1;
        return;
      }
      const runs = await new RunStore(store.db).list({ jobId: job.id, limit: 50 });
      if (o.json) return console.log(JSON.stringify({ ...job, runs }));
      console.log(`dead letter ${job.id} — flow ${job.queue}, key ${job.orderingKey}, ${job.attempts} attempt(s)`);
      console.log(`error: ${job.lastError?.code} (${job.lastError?.kind}): ${job.lastError?.message}`);
      if (job.lastError?.details && Object.keys(job.lastError.details).length) console.log(`details: ${JSON.stringify(job.lastError.details, null, 2)}`);
      console.log('history:');
      for (const h of job.history) console.log(`  attempt ${h.attempt} ${time(h.at)} ${h.outcome}${h.error ? ` ${h.error.code}` : ''}`);
      console.log(`input: ${JSON.stringify(job.payload, null, 2)}`);
    });
  });
  withDb(dlq.command('replay').description('send dead letters back to the queue').argument('[ids...]'))
    .option('--all', 'every dead letter (of --flow, if given)')
    .option('--flow <id>', 'with --all: only this flow')
    .option('--payload <file>', 'replace the input with this JSON file first (one id only)')
    .action(async (values: string[], o: DbOptions & { all?: boolean; flow?: string; payload?: string }) => {
      await using(o, async (store) => {
        const queue = createQueue(store);
        let list = ids(values);
        if (o.all) list = (await queue.list({ state: 'dead', queue: o.flow, limit: 100_000 })).map((j) => j.id);
        if (list.length === 0) throw new Error('name dead-letter ids, or --all');
        const edit = o.payload ? { payload: JSON.parse(await readFile(o.payload, 'utf8')) as unknown } : undefined;
        const n = await queue.replay(list, edit);
        if (o.json) console.log(JSON.stringify({ replayed: n }));
        else console.log(`replayed ${n} of ${list.length}`);
        if (n < list.length) process.exitCode = 1;
      });
    });
  withDb(dlq.command('discard').description('delete dead letters for good').argument('<ids...>')).action(async (values: string[], o: DbOptions) => {
    await using(o, async (store) => {
      const list = ids(values);
      const n = await createQueue(store).discard(list);
      if (o.json) console.log(JSON.stringify({ discarded: n }));
      else console.log(`discarded ${n} of ${list.length}`);
      if (n < list.length) process.exitCode = 1;
    });
  });

  const token = program.command('token').description('admin API tokens');
  withDb(token.command('create').description('create a token (shown once; stored only as a hash)').argument('<name>'))
    .option('--role <role>', `what the token may do: ${ROLES.join(' | ')} (least privilege: viewer unless asked)`, 'viewer')
    .action(async (name: string, o: DbOptions & { role: string }) => {
    if (!isRole(o.role)) throw userError('TOKEN_ROLE_INVALID', `"${o.role}" is not a role; use one of ${ROLES.join(', ')}`);
    const role = o.role;
    await using(o, async (store) => {
      const created = await new ApiTokenStore(store.db).create(name, role);
      if (o.json) console.log(JSON.stringify(created));
      else console.log(created.token);
    });
  });
}
