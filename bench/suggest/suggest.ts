// Mapping suggester quality on the labelled set (src/intelligence/data/labelled.json), tuning,
// held-out and fresh held-out splits separately, and the time to suggest for a whole entity pair.
// Fresh: entity pairs added after the held-out split had been tuned on; no rule was tuned on it.
// Judged: entity pairs no template maps, labelled by hand (data/judged.json); tuned on since 7 Dec 2026.
// Unseen: entity pairs none of the others uses, labelled by hand and committed before the suggester ran
// on them (data/unseen.json, and unseen-2.json): the honest held-out figures. Protocol: src/intelligence/data/README.md.
import type { Figure } from '../run.ts';
import { evaluate } from '../../src/intelligence/evaluate.js';
import { SPLITS } from '../../src/intelligence/dataset.js';

export default async function (): Promise<Figure[]> {
  const pct = (n: number, d: number): number => Math.round((1000 * n) / d) / 10;
  const out: Figure[] = [];
  for (const samples of [false, true]) {
    const r = evaluate(samples);
    const how = samples ? 'names+sample' : 'names only';
    for (const split of SPLITS) {
      const s = r[split];
      if (!samples) out.push({ name: `${split}: labelled source fields`, value: s.n, unit: 'fields' });
      out.push({ name: `${split} (${how}): top-1`, value: pct(s.top1, s.n), unit: '%', target: '>= 90' });
      out.push({ name: `${split} (${how}): top-3`, value: pct(s.top3, s.n), unit: '%', target: '>= 98' });
    }
    out.push({ name: `suggest one entity pair (${how}), median`, value: r.msPerPair, unit: 'ms', target: '< 200' });
  }
  return out;
}
