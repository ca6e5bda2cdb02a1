// `syncline dlq triage [--json] [--apply N] [--lookups DIR]`: dead letters clustered by error
// signature with a suggested fix each (src/intelligence/triage.ts); --apply N adds cluster N's lookup
// entries to its table file and replays the whole cluster.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { userError } from '../../core/errors.js';
import type { QueuePort } from '../../core/queue/port.js';
import { applyLookupFix, triage, type DeadLetter } from '../../intelligence/triage.js';

/** Lookup tables under `dir`: label (as error messages name it) → table name and file. */
function lookupFiles(dir: string): Map<string, { name: string; file: string }> {
  const out = new Map<string, { name: string; file: string }>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return out;
  }
  for (const f of files) {
    try {
      const doc = parseYaml(readFileSync(path.join(dir, f), 'utf8')) as { name?: string; label?: string };
      if (doc?.name) out.set(doc.label ?? doc.name, { name: doc.name, file: path.join(dir, f) });
    } catch {
      /* a broken table is reported by `syncline mapping test`, not here */
    }
  }
  return out;
}

export async function runTriage(queue: Pick<QueuePort, 'list' | 'replay'>, o: { json?: boolean; apply?: string; lookups: string }): Promise<void> {
  const letters = (await queue.list({ state: 'dead', limit: 1_000_000 })) as unknown as DeadLetter[];
  const tables = lookupFiles(o.lookups);
  const clusters = triage(letters, (label) => tables.get(label)?.name);
  if (o.apply !== undefined) {
    const n = Number(o.apply);
    const c = clusters[n - 1];
    if (!Number.isInteger(n) || !c) throw userError('TRIAGE_NO_FIX', `--apply takes a cluster number from 1 to ${clusters.length}`);
    if (c.fix.kind !== 'lookup-entry') throw userError('TRIAGE_NO_FIX', `cluster ${n} has no data fix to apply: ${c.fix.text}`);
    const file = [...tables.values()].find((t) => t.name === c.fix.table)?.file;
    if (!file) throw userError('TRIAGE_NO_FIX', `lookup table "${c.fix.table}" not found under ${o.lookups}`);
    const added = applyLookupFix(file, c.fix);
    // Only letters whose keys the action resolved are replayed; the rest would fail again.
    const resolved = new Set(Object.keys(c.fix.entries ?? {}));
    const ids = letters.filter((l) => c.ids.includes(l.id) && (l.lastError?.details?.errors ?? []).every((e) => [...resolved].some((k) => e.message.includes(`'${k}'`)))).map((l) => l.id);
    const replayed = ids.length ? await queue.replay(ids) : 0;
    if (o.json) console.log(JSON.stringify({ cluster: n, added, file, replayed, of: c.count }));
    else console.log(`cluster ${n}: ${added} entr${added === 1 ? 'y' : 'ies'} added to ${file}; replayed ${replayed} of ${c.count} dead letter(s)`);
    return;
  }
  if (o.json) return console.log(JSON.stringify({ clusters }));
  if (!clusters.length) return console.log('no dead letters');
  clusters.forEach((c, i) => {
    console.log(`${String(i + 1).padStart(3)}. ${String(c.count).padStart(5)} × ${c.signature}`);
    console.log(`       e.g. ${c.example}`);
    console.log(`       fix: ${c.fix.text}${c.fix.kind === 'lookup-entry' ? ` — syncline dlq triage --apply ${i + 1}` : ''}`);
  });
}
