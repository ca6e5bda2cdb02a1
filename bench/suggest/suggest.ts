// Mapping suggester quality on the labelled set (src/intelligence/data/labelled.json), tuning,
// held-out and fresh held-out splits separately, and the time to suggest for a whole entity pair.
// Fresh: entity pairs added after the held-out split had been tuned on; no rule was tuned on it.
// Judged: entity pairs no template maps, labelled by hand (data/judged.json); tuned on since 7 Dec 2026.
// Unseen, unseen2: entity pairs none of the others uses, labelled by hand and committed before the suggester
// ran on them (data/unseen.json, unseen-2.json); measured once each, then tuned on (7 Dec 2026, second round).
// Unseen3 (data/unseen-3.json): held out once in the second round, tuned on since the third. Unseen4
// (data/unseen-4.json): held out once in the third round, tuned on since the fourth. Unseen5
// (data/unseen-5.json, an independent labeller's): the held-out set (HELD_OUT in src/intelligence/dataset.ts),
// the honest figure. Protocol: src/intelligence/data/README.md.
import type { Figure } from '../run.ts';
import { evaluate } from '../../src/intelligence/evaluate.js';
import { SPLITS, splitLabel } from '../../src/intelligence/dataset.js';

export default async function (): Promise<Figure[]> {
  const pct = (n: number, d: number): number => Math.round((1000 * n) / d) / 10;
  const out: Figure[] = [];
  for (const samples of [false, true]) {
    const r = evaluate(samples);
    const how = samples ? 'names+sample' : 'names only';
    for (const split of SPLITS) {
      const s = r[split];
      if (!s.n) continue;
      const label = splitLabel(split);
      if (!samples) out.push({ name: `${label}: labelled source fields`, value: s.n, unit: 'fields' });
      out.push({ name: `${label}, ${how}: top-1`, value: pct(s.top1, s.n), unit: '%', target: '>= 90' });
      out.push({ name: `${label}, ${how}: top-3`, value: pct(s.top3, s.n), unit: '%', target: '>= 98' });
    }
    out.push({ name: `suggest one entity pair (${how}), median`, value: r.msPerPair, unit: 'ms', target: '< 200' });
  }
  return out;
}
