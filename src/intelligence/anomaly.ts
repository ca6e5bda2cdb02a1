// Anomaly detection with robust statistics: per metric and key (a SKU, a fee type, a shop) the
// median and MAD of its history, with seasonal baselines per weekday × hour where volume depends on
// the time (error rates, order counts). An observation is anomalous when its robust z-score
// 0.6745·|x − median| / MAD passes the threshold. Statistics run on numbers (doubles): they rank
// and flag, they never compute an amount that is booked (money stays decimal.js elsewhere).

export type Metric = 'order.total' | 'order.lines' | 'price.vsList' | 'fee.ratio' | 'stock.delta' | 'errors.rate';

export interface Observation {
  metric: Metric;
  /** SKU, fee type, shop … — the series the value belongs to. */
  key: string;
  value: number;
  /** When it happened: seasonal metrics compare with the same weekday and hour. */
  at?: Date;
}

export interface Anomaly {
  metric: Metric;
  key: string;
  value: number;
  expected: number;
  z: number;
  reason: string;
}

interface Stat {
  median: number;
  mad: number;
  n: number;
}

const SEASONAL = new Set<Metric>(['errors.rate']);
/** Floors on the MAD, as a share of the median, so a series that never moved still tolerates noise. */
const MAD_FLOOR: Record<Metric, number> = { 'order.total': 0.05, 'order.lines': 0.2, 'price.vsList': 0.1, 'fee.ratio': 0.02, 'stock.delta': 0.1, 'errors.rate': 0.2 };

/** Median of a typed array, sorted in place (numerically, no comparator). */
function median(s: Float64Array): number {
  s.sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function stat(xs: number[], metric: Metric): Stat {
  const med = median(Float64Array.from(xs));
  const dev = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) dev[i] = Math.abs(xs[i]! - med);
  const mad = median(dev);
  return { median: med, mad: Math.max(mad, Math.abs(med) * MAD_FLOOR[metric], 1e-9), n: xs.length };
}

const slot = (d: Date): number => d.getUTCDay() * 24 + d.getUTCHours();
/** A series within its metric: the key, or for a seasonal one the key and the weekday × hour slot. */
const seriesKey = (o: Pick<Observation, 'key'>, s?: number): string => (s === undefined ? o.key : `${o.key}|${s}`);

export class Baselines {
  // metric → series → baseline: checking a non-seasonal observation builds no string.
  private stats = new Map<Metric, Map<string, Stat>>();
  constructor(readonly threshold = 3.5, readonly minHistory = 8) {}

  /** Builds every series' baseline from history (one batch; rebuild nightly or every N events). */
  static fit(history: Observation[], threshold = 3.5): Baselines {
    const b = new Baselines(threshold);
    const groups = new Map<string, { metric: Metric; xs: number[] }>();
    const add = (k: string, metric: Metric, x: number): void => {
      const g = groups.get(k) ?? { metric, xs: [] };
      g.xs.push(x);
      groups.set(k, g);
    };
    for (const o of history) {
      add(`${o.metric}|${seriesKey(o)}`, o.metric, o.value);
      if (SEASONAL.has(o.metric) && o.at) add(`${o.metric}|${seriesKey(o, slot(o.at))}`, o.metric, o.value);
    }
    for (const [k, g] of groups) {
      const m = b.stats.get(g.metric) ?? new Map<string, Stat>();
      m.set(k.slice(g.metric.length + 1), stat(g.xs, g.metric));
      b.stats.set(g.metric, m);
    }
    return b;
  }

  /** The anomaly for one observation, or undefined. Cost: one or two map lookups and arithmetic. */
  check(o: Observation): Anomaly | undefined {
    const m = this.stats.get(o.metric);
    if (!m) return undefined;
    let s = SEASONAL.has(o.metric) && o.at ? m.get(seriesKey(o, slot(o.at))) : undefined;
    if (!s || s.n < this.minHistory) s = m.get(o.key);
    if (!s || s.n < this.minHistory) return undefined;
    const z = (0.6745 * (o.value - s.median)) / s.mad;
    if (Math.abs(z) < this.threshold) return undefined;
    return { metric: o.metric, key: o.key, value: o.value, expected: s.median, z, reason: `${o.metric} of ${o.key} is ${round(o.value)}, usually ${round(s.median)} (robust z ${z.toFixed(1)})` };
  }
}

const round = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3).replace(/\.?0+$/, ''));

/** The observations one order yields: its total, its line count and each line's price against list. */
export function orderObservations(order: { shop: string; total: string | number; lines: Array<{ sku: string; price: string | number; listPrice?: string | number }>; at?: Date }): Observation[] {
  const out: Observation[] = [
    { metric: 'order.total', key: order.shop, value: Number(order.total), at: order.at },
    { metric: 'order.lines', key: order.shop, value: order.lines.length, at: order.at },
  ];
  for (const l of order.lines) if (l.listPrice !== undefined && Number(l.listPrice) > 0) out.push({ metric: 'price.vsList', key: l.sku, value: Number(l.price) / Number(l.listPrice), at: order.at });
  return out;
}
