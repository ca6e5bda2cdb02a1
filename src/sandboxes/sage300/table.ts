// A resource's records in key order: the Web API returns a collection in view (key) order, and
// paging with $skip relies on that order staying put.
import type { Row } from './odata.js';

export class Table {
  private readonly map = new Map<string, Row>();
  private sorted: Row[] = [];
  private dirty = false;
  /**
   * Equality indexes (field → value → rows), so `Field eq 'x'` lookups do not scan 100,000 rows. A
   * value held by one row maps to the row itself: most indexed values (order and PO numbers) are
   * unique, and a one-row array each was 1.2 MB of 10,000 orders (issue 12).
   */
  private readonly indexes = new Map<string, Map<string, Row | Row[]>>();

  constructor(readonly keys: readonly string[], readonly numericKeys: ReadonlySet<string> = new Set()) {}

  keyOf(row: Row): string {
    return this.keys.length === 1 ? String(row[this.keys[0]!]) : this.keys.map((k) => String(row[k])).join('\u0001');
  }

  keyFrom(values: readonly unknown[]): string {
    return values.length === 1 ? String(values[0]) : values.map(String).join('\u0001');
  }

  addIndex(field: string): void {
    const idx = new Map<string, Row | Row[]>();
    this.indexes.set(field, idx);
    for (const row of this.map.values()) this.indexAdd(field, idx, row);
  }

  /** Rows whose `field` equals `value`, in key order; undefined when the field has no index. */
  byIndex(field: string, value: unknown): Row[] | undefined {
    const idx = this.indexes.get(field);
    if (!idx) return undefined;
    const hit = idx.get(String(value));
    if (hit === undefined) return [];
    return Array.isArray(hit) ? [...hit].sort((a, b) => this.compare(a, b)) : [hit];
  }

  private indexAdd(field: string, idx: Map<string, Row | Row[]>, row: Row): void {
    const v = row[field];
    if (v === undefined || v === null || v === '') return;
    const key = String(v);
    const hit = idx.get(key);
    if (hit === undefined) idx.set(key, row);
    else if (Array.isArray(hit)) hit.push(row);
    else idx.set(key, [hit, row]);
  }

  private indexRemove(row: Row): void {
    for (const [field, idx] of this.indexes) {
      const key = String(row[field]);
      const hit = idx.get(key);
      if (hit === row) idx.delete(key);
      else if (Array.isArray(hit)) {
        const i = hit.indexOf(row);
        if (i >= 0) hit.splice(i, 1);
        if (hit.length === 1) idx.set(key, hit[0]!);
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): Row | undefined {
    return this.map.get(key);
  }

  insert(row: Row): void {
    const key = this.keyOf(row);
    if (this.map.has(key)) throw new Error(`duplicate key ${key}`);
    this.map.set(key, row);
    for (const [field, idx] of this.indexes) this.indexAdd(field, idx, row);
    // Appending in key order (generated numbers) keeps the list sorted without a re-sort.
    const last = this.sorted[this.sorted.length - 1];
    if (!this.dirty && (!last || this.compare(last, row) < 0)) this.sorted.push(row);
    else this.dirty = true;
  }

  /** Replaces the stored object for the same key (identity changes, order does not). */
  replace(row: Row): void {
    const key = this.keyOf(row);
    const old = this.map.get(key);
    if (!old) throw new Error(`no row ${key}`);
    this.indexRemove(old);
    this.map.set(key, row);
    for (const [field, idx] of this.indexes) this.indexAdd(field, idx, row);
    if (!this.dirty) {
      const i = this.sorted.indexOf(old);
      if (i >= 0) this.sorted[i] = row;
      else this.dirty = true;
    }
  }

  delete(key: string): boolean {
    const old = this.map.get(key);
    if (old) this.indexRemove(old);
    const had = this.map.delete(key);
    if (had) this.dirty = true;
    return had;
  }

  rows(): readonly Row[] {
    if (this.dirty) {
      this.sorted = [...this.map.values()].sort((a, b) => this.compare(a, b));
      this.dirty = false;
    }
    return this.sorted;
  }

  private compare(a: Row, b: Row): number {
    for (const k of this.keys) {
      const x = a[k];
      const y = b[k];
      const c = this.numericKeys.has(k) ? Number(x) - Number(y) : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      if (c !== 0) return c;
    }
    return 0;
  }
}
