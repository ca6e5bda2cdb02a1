// What accepted mappings taught the suggester: the exact pairs (per entity pair, and per field name
// across entities) and concept associations (a marketplace id went to a sales site), kept in a JSON
// file so an accepted suggestion improves later ones.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Profile } from './suggest.js';

export interface AcceptedPair {
  source: string; // SYSTEM.ENTITY
  sourcePath: string;
  target: string;
  targetPath: string;
}

const key = (e: string): string => e.replace('/', '.').toLowerCase();
const leafName = (p: string): string => p.split('.').pop()!.replace(/\[\]$/, '').toLowerCase();

export class Knowledge {
  readonly pairs: AcceptedPair[] = [];
  /** Suggestions a person rejected: never suggested again for that entity pair. */
  readonly rejected: AcceptedPair[] = [];
  private exactSet = new Set<string>();
  private rejectedSet = new Set<string>();
  private byName = new Map<string, Map<string, number>>(); // source leaf name → target leaf name → count
  private assoc = new Map<string, Map<string, number>>(); // source concept → target concept → count
  private total = new Map<string, number>();

  constructor(pairs: AcceptedPair[] = [], private readonly profileOf?: (entity: string, p: string, side: 'source' | 'target') => Profile | undefined) {
    for (const p of pairs) this.learn(p);
  }

  learn(p: AcceptedPair, s?: Profile, t?: Profile): void {
    this.pairs.push(p);
    this.exactSet.add(`${key(p.source)}|${p.sourcePath}|${key(p.target)}|${p.targetPath}`);
    const m = this.byName.get(leafName(p.sourcePath)) ?? new Map<string, number>();
    m.set(leafName(p.targetPath), (m.get(leafName(p.targetPath)) ?? 0) + 1);
    this.byName.set(leafName(p.sourcePath), m);
    const sp = s ?? this.profileOf?.(p.source, p.sourcePath, 'source');
    const tp = t ?? this.profileOf?.(p.target, p.targetPath, 'target');
    if (!sp || !tp) return;
    for (const a of sp.leaf.keys()) {
      if (a.startsWith('#')) continue;
      const row = this.assoc.get(a) ?? new Map<string, number>();
      for (const b of tp.all.keys()) if (!b.startsWith('#')) row.set(b, (row.get(b) ?? 0) + 1);
      this.assoc.set(a, row);
      this.total.set(a, (this.total.get(a) ?? 0) + 1);
    }
  }

  reject(p: AcceptedPair): void {
    const k = `${key(p.source)}|${p.sourcePath}|${key(p.target)}|${p.targetPath}`;
    if (this.rejectedSet.has(k)) return;
    this.rejectedSet.add(k);
    this.rejected.push(p);
  }

  isRejected(source: string, sourcePath: string, target: string, targetPath: string): boolean {
    return this.rejectedSet.has(`${key(source)}|${sourcePath}|${key(target)}|${targetPath}`);
  }

  exact(source: string, sourcePath: string, target: string, targetPath: string): boolean {
    return this.exactSet.has(`${key(source)}|${sourcePath}|${key(target)}|${targetPath}`);
  }

  /** How strongly accepted mappings tie `s` to `t`, in [0, 1], with the reason. */
  strength(source: string, s: Profile, target: string, t: Profile): { value: number; why?: string } {
    if (this.exact(source, s.path, target, t.path)) return { value: 1, why: 'accepted before' };
    const names = this.byName.get(leafName(s.path));
    if (names) {
      const n = names.get(leafName(t.path));
      if (n) return { value: 0.85, why: `${leafName(s.path)} → ${leafName(t.path)} accepted ${n}×` };
    }
    // Concept association: the share of accepted pairs with this source concept whose target had t's concepts.
    let best = 0;
    let why: string | undefined;
    for (const a of s.leaf.keys()) {
      const row = this.assoc.get(a);
      const tot = this.total.get(a);
      if (!row || !tot || tot < 2) continue;
      let sum = 0;
      let cnt = 0;
      for (const b of t.leaf.keys()) {
        if (b.startsWith('#')) continue;
        sum += (row.get(b) ?? 0) / tot;
        cnt++;
      }
      const v = cnt ? sum / cnt : 0;
      if (v > best) (best = v, (why = `${a} usually maps to ${[...t.leaf.keys()].join(' ')}`));
    }
    return { value: 0.7 * best, why: best > 0.3 ? why : undefined };
  }

  static load(file: string, profileOf?: Knowledge['profileOf']): Knowledge {
    let stored: { accepted?: AcceptedPair[]; rejected?: AcceptedPair[] } = {};
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const k = new Knowledge(stored.accepted ?? [], profileOf);
    for (const r of stored.rejected ?? []) k.reject(r);
    return k;
  }

  save(file: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    // Only what a person decided is saved (not the shipped templates' pairs learnt at load).
    writeFileSync(file, `${JSON.stringify({ accepted: this.pairs, rejected: this.rejected }, null, 2)}\n`);
  }
}
