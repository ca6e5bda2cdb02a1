// Operator commands straight on the store: runs, dead letters, API tokens, and `start`.
// They need no running server. Which store: `--db`, else `--config`'s file, else
// $SYNCLINE_DATABASE_URL, else ./data/syncline.db — printed on stderr, with what was ignored.
// Read commands open the store read-only and fail when it does not exist; nothing is created.
import { Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveStoreUrl } from '../../config.js';
import { openStore, storeOptionsFromUrl, type Store } from '../../core/db/database.js';
import { userError } from '../../core/errors.js';
import { createQueue } from '../../core/queue/sql-queue.js';
import { withPayloadKey } from '../../core/payload-codec.js';
import { redact } from '../../core/redact.js';
import { RunStore, type RunView } from '../../core/runs.js';
import { ApiTokenStore } from '../../core/tokens.js';
import { ROLES, type Role } from '../../core/roles.js';
import { progressBar } from '../progress.js';
import { colour } from '../output.js';

interface DbOptions {
  db?: string;
  config?: string;
  json?: boolean;
}

const RUN_STATUSES = ['succeeded', 'skipped', 'retrying', 'dead'] as const;

async function storeFrom(o: DbOptions, mode: 'read' | 'write'): Promise<Store> {
  const { url, from, ignored } = await resolveStoreUrl(o);
  const shown = url.replace(/\/\/[^@/]*@/, '//…@');
  if (!o.json || ignored) console.error(colour.dim(`store ${shown} (from ${from}${ignored ? `; ignored ${ignored}` : ''})`));
  const options = storeOptionsFromUrl(url);
  // Payloads are sealed at rest: read them with the store's master key ($SYNCLINE_MASTER_KEY or the key file beside the SQLite file).
  const key = { dataDir: options.dialect === 'sqlite' ? path.dirname(path.resolve(options.file)) : undefined };
  if (mode === 'read') return withPayloadKey(await openStore({ ...options, readonly: true }), key);
  // Writes (replay, discard, token create) go to a store that exists: a typo must not start a new one.
  if (options.dialect === 'sqlite' && (options.file === ':memory:' || !existsSync(options.file))) {
    throw userError('STORE_MISSING', `no store at ${options.file}: check --db or --config (nothing was created; \`syncline start\` creates the store)`);
  }
  return withPayloadKey(await openStore(options), key);
}

export const withDb = (cmd: Command) =>
  cmd
    .option('--db <url>', 'store URL: sqlite:PATH or postgres://… (wins over --config and $SYNCLINE_DATABASE_URL)')
    .option('--config <file>', "use the store this configuration names (wins over $SYNCLINE_DATABASE_URL)")
    .option('--json', 'machine-readable output: exactly one JSON document on stdout');

export async function using<T>(o: DbOptions, mode: 'read' | 'write', fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await storeFrom(o, mode);
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

const positiveInt = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${v}"`);
  return n;
};

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

const statusColour = (s: string) => (s === 'succeeded' ? colour.green(s) : s === 'dead' ? colour.red(s) : s === 'retrying' ? colour.yellow(s) : colour.dim(s));

function indent(v: unknown, pad = '      '): string {
  return JSON.stringify(v, null, 2).split('\n').map((l) => pad + l).join('\n');
}

/** `runs show`: the run, then each step with its input, output and error; the failing step is marked. */
export function formatRun(run: RunView): string {
  const lines: string[] = [];
  lines.push(`run ${run.id}: ${run.flow} ${run.recordKey} — ${statusColour(run.status)} (attempt ${run.attempt}, job ${run.jobId}, event ${run.eventId ?? '–'})`);
  lines.push(`  started ${time(run.startedAt)}, took ${run.finishedAt - run.startedAt} ms${run.traceId ? `, trace ${run.traceId}` : ''}`);
  if (run.note) lines.push(`  note: ${run.note}`);
  if (run.error) lines.push(colour.red(`  error: ${run.error.code} (${run.error.kind}): ${run.error.message}`));
  for (const s of run.steps ?? []) {
    const failed = s.status === 'error';
    const head = `${failed ? colour.red('✖') : s.status === 'skipped' ? colour.dim('–') : colour.green('✔')} ${s.step.padEnd(14)} ${s.status.padEnd(7)} ${s.durationMs.toFixed(1)} ms`;
    lines.push(`  ${failed ? colour.bold(head + '   ← failed here') : head}`);
    if (s.input !== null && s.input !== undefined) lines.push(`    input:\n${indent(s.input)}`);
    if (s.output !== null && s.output !== undefined) lines.push(`    output:\n${indent(s.output)}`);
    if (s.error) lines.push(colour.red(`    error: ${s.error.code}: ${s.error.message}`) + (Object.keys(s.error.details ?? {}).length ? `\n${indent(s.error.details)}` : ''));
  }
  if (!run.steps?.length) lines.push('  (no steps recorded)');
  return lines.join('\n');
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the engine, pollers and server from a configuration file')
    .requiredOption('--config <file>', 'YAML or JSON configuration (see docs/configuration.md)')
    .addOption(new Option('--role <role>', 'intake: webhooks + admin API; worker: jobs + pollers; all: both (intake and worker need the store on PostgreSQL)').choices(['intake', 'worker', 'all']).default('all'))
    .action(async (o: { config: string; role: 'intake' | 'worker' | 'all' }) => {
      const [{ loadConfig }, { startSyncline }] = await Promise.all([import('../../config.js'), import('../../main.js')]);
      // Validated (every problem at once) before anything is written or started.
      const config = await loadConfig(o.config);
      if (process.env.SYNCLINE_DATABASE_URL && process.env.SYNCLINE_DATABASE_URL !== config.database) {
        console.error(colour.yellow(`$SYNCLINE_DATABASE_URL is ignored: --config ${o.config} names the store (put database: \${SYNCLINE_DATABASE_URL} in the file to use it)`));
      }
      const runtime = await startSyncline(config, { role: o.role });
      runtime.logger.info({ url: runtime.url, role: o.role, flows: runtime.engine.flows.map((f) => f.id) }, 'syncline started');
      const stop = async (signal: string) => {
        runtime.logger.info({ signal }, 'draining in-flight jobs');
        await runtime.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

export function registerRuns(program: Command): void {
  const runs = withDb(program.command('runs').description("list recent runs (each event's history through its flow)"))
    .option('--flow <id>', 'only this flow')
    .option('--status <status>', RUN_STATUSES.join(' | '))
    .option('--limit <n>', 'how many', '20')
    .action(async (o: DbOptions & { flow?: string; status?: string; limit: string }) => {
      if (o.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(o.status)) throw new Error(`--status must be one of ${RUN_STATUSES.join(', ')}, got "${o.status}"`);
      const limit = positiveInt('--limit', o.limit);
      await using(o, 'read', async (store) => {
        const list = await new RunStore(store.db).list({ flow: o.flow, status: o.status, limit });
        if (o.json) return console.log(JSON.stringify(list));
        for (const r of list) console.log(`${String(r.id).padStart(6)}  ${time(r.finishedAt)}  ${statusColour(r.status.padEnd(9))} ${r.flow}  ${r.recordKey}  attempt ${r.attempt}${r.error ? `  ${r.error.code}: ${r.error.message}` : ''}`);
        if (list.length === 0) console.log('no runs');
      });
    });
  withDb(runs.command('show').description('one run, step by step: input, output and error of each step').argument('<id>')).action(async (id: string, _o: DbOptions, cmd: Command) => {
    // `runs` has the same options: commander may have given --db to the parent.
    const o = cmd.optsWithGlobals() as DbOptions;
    const runId = positiveInt('run id', id);
    await using(o, 'read', async (store) => {
      const run = await new RunStore(store.db).get(runId);
      if (!run) {
        if (o.json) console.log(JSON.stringify({ error: { code: 'API_NOT_FOUND', message: `no run ${id}` } }));
        else console.error(`no run ${id}`);
        process.exitCode = 1;
        return;
      }
      if (o.json) return console.log(JSON.stringify(run));
      console.log(formatRun(run));
    });
  });
}

/**
 * `dlq replay --payload FILE`: the file is the business payload (the order as the source sent it);
 * the job's envelope — system, entity, record id, version — is kept, so an edit cannot make an old
 * version look new and slip past the stale check. A file that is a whole envelope is accepted only
 * when its envelope matches the job's.
 */
export function replacePayload(envelope: unknown, file: unknown): unknown {
  const env = envelope as Record<string, unknown>;
  const isEnvelope = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && ['system', 'entity', 'id', 'version', 'payload'].every((k) => k in (v as object));
  if (isEnvelope(env) && isEnvelope(file)) {
    const changed = ['system', 'entity', 'id', 'version', 'connection', 'flowVersion'].filter((k) => k in file && JSON.stringify(file[k]) !== JSON.stringify(env[k]));
    if (changed.length) throw new Error(`the file changes the job's envelope (${changed.join(', ')}); give only the business payload — the record id and version stay as received`);
    return { ...env, payload: file.payload };
  }
  if (isEnvelope(env)) return { ...env, payload: file };
  return file;
}

export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('dead letters: list, show, edit, replay, discard');
  withDb(dlq.command('list').description('jobs that failed permanently or ran out of retries'))
    .option('--flow <id>', 'only this flow')
    .option('--limit <n>', 'how many', '50')
    .action(async (o: DbOptions & { flow?: string; limit: string }) => {
      const limit = positiveInt('--limit', o.limit);
      await using(o, 'read', async (store) => {
        const list = await createQueue(store).list({ state: 'dead', queue: o.flow, limit });
        if (o.json) return console.log(JSON.stringify(list));
        for (const j of list) console.log(`${String(j.id).padStart(6)}  ${time(j.updatedAt)}  ${j.queue}  ${j.orderingKey ?? ''}  attempts ${j.attempts}  ${colour.red(`${j.lastError?.code}`)}: ${j.lastError?.message}`);
        if (list.length === 0) console.log('no dead letters');
      });
    });
  withDb(dlq.command('show').description('one dead letter: error, inputs, attempt history (personal data masked)').argument('<id>'))
    .option('--reveal-pii', 'show names, addresses, e-mail addresses and phone numbers unmasked')
    .action(async (id: string, o: DbOptions & { revealPii?: boolean }) => {
    await using(o, 'read', async (store) => {
      const found = await createQueue(store).get(positiveInt('dead-letter id', id));
      const job = found && !o.revealPii ? redact(found) : found;
      if (!job || job.state !== 'dead') {
        if (o.json) console.log(JSON.stringify({ error: { code: 'API_NOT_FOUND', message: `no dead letter ${id}` } }));
        else console.error(`no dead letter ${id}`);
        process.exitCode = 1;
        return;
      }
      const listed = await new RunStore(store.db).list({ jobId: job.id, limit: 50 });
      const runs = o.revealPii ? listed : redact(listed);
      if (o.json) return console.log(JSON.stringify({ ...job, runs }));
      console.log(`dead letter ${job.id} — flow ${job.queue}, key ${job.orderingKey}, ${job.attempts} attempt(s)`);
      console.log(colour.red(`error: ${job.lastError?.code} (${job.lastError?.kind}): ${job.lastError?.message}`));
      if (job.lastError?.details && Object.keys(job.lastError.details).length) console.log(`details: ${JSON.stringify(job.lastError.details, null, 2)}`);
      console.log('history:');
      for (const h of job.history) console.log(`  attempt ${h.attempt} ${time(h.at)} ${h.outcome}${h.error ? ` ${h.error.code}` : ''}`);
      const last = runs[0];
      if (last) console.log(`last run: ${last.id} (syncline runs show ${last.id})${last.traceId ? `, trace ${last.traceId}` : ''}`);
      console.log(`input: ${JSON.stringify(job.payload, null, 2)}`);
    });
  });
  withDb(dlq.command('replay').description('send dead letters back to the queue').argument('[ids...]'))
    .option('--all', 'every dead letter (of --flow, if given)')
    .option('--flow <id>', 'with --all: only this flow')
    .option('--payload <file>', "replace the business payload with this JSON file first (one id only; the record id and version are kept)")
    .action(async (values: string[], o: DbOptions & { all?: boolean; flow?: string; payload?: string }) => {
      await using(o, 'write', async (store) => {
        const queue = createQueue(store);
        let list = ids(values);
        if (o.all) list = (await queue.list({ state: 'dead', queue: o.flow, limit: 1_000_000 })).map((j) => j.id);
        if (list.length === 0) throw new Error(o.all ? 'no dead letters to replay' : 'name dead-letter ids, or --all');
        let edit: { payload: unknown } | undefined;
        if (o.payload) {
          if (list.length !== 1) throw new Error('--payload replays exactly one dead letter');
          const job = await queue.get(list[0]!);
          if (!job || job.state !== 'dead') throw new Error(`no dead letter ${list[0]}`);
          let file: unknown;
          try {
            file = JSON.parse(await readFile(o.payload, 'utf8'));
          } catch (e) {
            throw new Error(`${o.payload}: ${(e as Error).message}`);
          }
          edit = { payload: replacePayload(job.payload, file) };
        }
        // Bulk replays go in batches, with a progress bar on a terminal.
        const bar = progressBar('replaying', list.length, Boolean(o.json));
        let n = 0;
        for (let i = 0; i < list.length; i += 500) {
          const batch = list.slice(i, i + 500);
          n += await queue.replay(batch, edit);
          bar.update(i + batch.length);
        }
        bar.stop();
        if (o.json) console.log(JSON.stringify({ replayed: n, of: list.length }));
        else console.log(`replayed ${n} of ${list.length}`);
        if (n < list.length) process.exitCode = 1;
      });
    });
  withDb(dlq.command('triage').description('dead letters clustered by error, a suggested fix each; --apply N fixes cluster N\'s data and replays it'))
    .option('--apply <n>', 'apply cluster N\'s lookup fix and replay the cluster')
    .option('--lookups <dir>', 'lookup tables the fixes go to', 'mappings/lookups')
    .action(async (o: DbOptions & { apply?: string; lookups: string }) => {
      await using(o, o.apply ? 'write' : 'read', async (store) => (await import('./triage.js')).runTriage(createQueue(store), o));
    });
  withDb(dlq.command('discard').description('delete dead letters for good').argument('<ids...>')).action(async (values: string[], o: DbOptions) => {
    await using(o, 'write', async (store) => {
      const list = ids(values);
      const n = await createQueue(store).discard(list);
      if (o.json) console.log(JSON.stringify({ discarded: n }));
      else console.log(`discarded ${n} of ${list.length}`);
      if (n < list.length) process.exitCode = 1;
    });
  });
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('admin API tokens');
  withDb(token.command('create').description('create a token (shown once; stored only as a hash)').argument('<name>'))
    .option('--role <role>', 'viewer | operator | admin (default: viewer, the least)', 'viewer')
    .action(async (name: string, o: DbOptions & { role: string }) => {
      await using(o, 'write', async (store) => {
        if (!(ROLES as readonly string[]).includes(o.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}, got "${o.role}"`);
        const created = await new ApiTokenStore(store.db).create(name, o.role as Role);
        if (o.json) console.log(JSON.stringify(created));
        else console.log(created.token);
      });
    });
}
