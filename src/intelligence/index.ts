// Intelligence (issue 14), offline: mapping suggestions, anomaly detection, order risk, error triage.
import { userError } from '../core/errors.js';
import { catalogue, leaves } from './catalogue.js';
import { loadDataset, profileOf } from './dataset.js';
import { Knowledge, type AcceptedPair } from './knowledge.js';

export { suggest, type Suggestion, type Candidate } from './suggest.js';
export { Knowledge, type AcceptedPair } from './knowledge.js';

/** What the CLI and server suggest with: every shipped template's pairs plus the accepted store. */
export function knowledgeFor(store: string): Knowledge {
  const k = Knowledge.load(store, profileOf);
  for (const p of loadDataset().pairs) for (const [s, ts] of Object.entries(p.labels)) for (const t of ts) k.learn({ source: p.source, sourcePath: s, target: p.target, targetPath: t });
  return k;
}

function checkPair(pair: AcceptedPair): void {
  const has = (entity: string, p: string, side: 'source' | 'target'): boolean => leaves(catalogue(entity, side).fields).some((f) => f.path === p);
  if (!has(pair.source, pair.sourcePath, 'source')) throw userError('SUGGEST_UNKNOWN_FIELD', `${pair.source} has no field ${pair.sourcePath}`, { details: { entity: pair.source, path: pair.sourcePath } });
  if (!has(pair.target, pair.targetPath, 'target')) throw userError('SUGGEST_UNKNOWN_FIELD', `${pair.target} has no field ${pair.targetPath}`, { details: { entity: pair.target, path: pair.targetPath } });
}

/** Stores an accepted pair after checking both fields exist (a rejection of the same pair is withdrawn). */
export function acceptPair(store: string, pair: AcceptedPair): void {
  checkPair(pair);
  const k = Knowledge.load(store, profileOf);
  const rejected = k.rejected.filter((r) => !sameP(r, pair));
  const next = new Knowledge(k.pairs, profileOf);
  for (const r of rejected) next.reject(r);
  if (!next.exact(pair.source, pair.sourcePath, pair.target, pair.targetPath)) next.learn(pair);
  next.save(store);
}

/** Stores a rejected pair: never suggested again for that entity pair (an acceptance of it is withdrawn). */
export function rejectPair(store: string, pair: AcceptedPair): void {
  checkPair(pair);
  const k = Knowledge.load(store, profileOf);
  const next = new Knowledge(k.pairs.filter((p) => !sameP(p, pair)), profileOf);
  for (const r of k.rejected) next.reject(r);
  next.reject(pair);
  next.save(store);
}

const sameP = (a: AcceptedPair, b: AcceptedPair): boolean =>
  a.source.toLowerCase() === b.source.toLowerCase() && a.target.toLowerCase() === b.target.toLowerCase() && a.sourcePath === b.sourcePath && a.targetPath === b.targetPath;
