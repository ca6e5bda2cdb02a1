// `syncline holds list | release ID | cancel ID --reason TEXT`: orders a flow's hold step parked for
// review (src/intelligence/holds.ts). Release replays the dead letter, which then passes the hold;
// cancel discards it and keeps the reason.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { using, withDb } from '../cli/commands/admin.js';
import { createQueue } from '../core/queue/sql-queue.js';
import { cancelHeld, listHeld, releaseHeld } from './holds.js';

type DbOptions = Parameters<typeof using>[0];

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`"${v}" is not a dead-letter id`);
  return n;
};
const who = (o: { by?: string }): string => `cli:${o.by ?? userInfo().username}`;

export function registerHolds(program: Command): void {
  const holds = program.command('holds').description('orders held for review by a flow\'s risk check: list, release, cancel');
  withDb(holds.command('list').description('held orders, newest first, with the score and every reason'))
    .option('--flow <id>', 'only this flow')
    .action(async (o: DbOptions & { flow?: string }) => {
      await using(o, 'read', async (store) => {
        const list = await listHeld(createQueue(store), o.flow);
        if (o.json) return console.log(JSON.stringify({ held: list }));
        if (!list.length) return console.log('no orders held for review');
        for (const h of list) {
          console.log(`${String(h.id).padStart(6)}  ${new Date(h.heldAt).toISOString()}  ${h.flow}  ${h.recordKey}  risk ${h.score ?? '?'}/${h.threshold ?? '?'}`);
          for (const r of h.reasons) console.log(`        ${r}`);
        }
      });
    });
  withDb(holds.command('release').description('release a held order: it is replayed and passes the risk check').argument('<id>'))
    .option('--by <name>', 'who decided (default: the OS user)')
    .action(async (id: string, o: DbOptions & { by?: string }) => {
      await using(o, 'write', async (store) => {
        const r = await releaseHeld(createQueue(store), store.db, positive(id), who(o));
        if (o.json) return console.log(JSON.stringify(r));
        console.log(`released ${r.released.recordKey} (${r.released.flow}); ${r.replayed} dead letter(s) replayed`);
      });
    });
  withDb(holds.command('cancel').description('cancel a held order: discarded, never sent to the ERP; the reason is kept').argument('<id>'))
    .requiredOption('--reason <text>', 'why (kept with the decision)')
    .option('--by <name>', 'who decided (default: the OS user)')
    .action(async (id: string, o: DbOptions & { reason: string; by?: string }) => {
      await using(o, 'write', async (store) => {
        const r = await cancelHeld(createQueue(store), store.db, positive(id), who(o), o.reason);
        if (o.json) return console.log(JSON.stringify(r));
        console.log(`cancelled ${r.cancelled.recordKey} (${r.cancelled.flow}): ${o.reason}; ${r.discarded} dead letter(s) discarded`);
      });
    });
}
