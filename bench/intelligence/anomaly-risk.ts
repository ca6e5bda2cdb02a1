// Anomaly detection and order risk on generated traffic (seeded): 8 weeks of history to fit, then
// 2 weeks scored with injected anomalies (price errors, fee spikes, stock jumps, order-total and
// error-rate bursts) and fraud patterns. Precision/recall and false positives per normal event;
// scoring cost per order.
import { performance } from 'node:perf_hooks';
import type { Figure } from '../run.ts';
import { Baselines, orderObservations, type Observation } from '../../src/intelligence/anomaly.js';
import { HOLD_THRESHOLD, RiskHistory, scoreOrder, type RiskOrder } from '../../src/intelligence/risk.js';
import { threadCpuMs } from '../../src/mapping/budget.js';

let seed = 7;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd());
const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];

const SKUS = Array.from({ length: 200 }, (_, i) => ({ sku: `S${i}`, list: 5 + Math.round(rnd() * 19500) / 100 }));
const FEES = ['Commission', 'FBAPerUnitFulfillmentFee', 'ShippingHB', 'RefundCommission', 'DigitalServicesFee'];
const FEE_RATE: Record<string, number> = { Commission: 0.15, FBAPerUnitFulfillmentFee: 0.12, ShippingHB: 0.03, RefundCommission: 0.02, DigitalServicesFee: 0.005 };

interface Gen {
  obs: Observation[];
  injected: boolean;
}

function order(at: Date, inject: boolean): { gen: Gen[]; lines: Array<{ sku: string; price: string; listPrice: string; quantity: number }>; total: number } {
  const n = 1 + Math.floor(rnd() * 3);
  const lines = Array.from({ length: n }, () => {
    const s = pick(SKUS);
    // Normal: list price, or a promotion 5–20 % off now and then.
    const price = rnd() < 0.15 ? s.list * (0.8 + rnd() * 0.15) : s.list;
    return { sku: s.sku, price: price.toFixed(2), listPrice: s.list.toFixed(2), quantity: 1 + Math.floor(rnd() * 2) };
  });
  if (inject) {
    const l = lines[0];
    // Price error: a decimal slip (÷10, ×10) or a price far below list.
    l.price = (Number(l.listPrice) * pick([0.1, 10, 0.25, 0.01])).toFixed(2);
  }
  const total = lines.reduce((t, l) => t + Number(l.price) * l.quantity, 0);
  const obs = orderObservations({ shop: 'web', total, lines, at });
  // One event per order: flagged when any of its observations is.
  return { gen: [{ obs, injected: inject }], lines, total };
}

export default async function (): Promise<Figure[]> {
  const start = Date.UTC(2026, 8, 1);
  const hist: Observation[] = [];
  const test: Gen[] = [];
  const HOURS = 24 * 70;
  for (let h = 0; h < HOURS; h++) {
    const at = new Date(start + h * 3_600_000);
    const scoring = h >= 24 * 56;
    const hour = at.getUTCHours();
    const busy = 2 + Math.round(6 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)));
    for (let i = 0; i < busy; i++) {
      const inject = scoring && rnd() < 0.02;
      const o = order(at, inject);
      if (scoring) test.push(...o.gen);
      else hist.push(...o.gen.flatMap((g) => g.obs));
      // Settlement fees per order line: fee / principal ratio per fee type.
      for (const f of FEES) {
        const spike = scoring && rnd() < 0.01;
        const ratio = FEE_RATE[f] * (1 + 0.01 * gauss()) * (spike ? pick([2, 3, 0.3]) : 1);
        const ob: Observation = { metric: 'fee.ratio', key: f, value: ratio, at };
        if (scoring) test.push({ obs: [ob], injected: spike });
        else hist.push(ob);
      }
    }
    // Stock deltas per SKU (sales and receipts), hourly for 20 SKUs.
    for (let s = 0; s < 20; s++) {
      const jump = scoring && rnd() < 0.01;
      const v = -Math.round(3 + 1.5 * gauss()) + (jump ? pick([500, -400, 250]) : 0);
      const ob: Observation = { metric: 'stock.delta', key: `S${s}`, value: v, at };
      if (scoring) test.push({ obs: [ob], injected: jump });
      else hist.push(ob);
    }
    // Error rate per hour, seasonal (the nightly batch fails more), with bursts.
    const burst = scoring && rnd() < 0.02;
    const rate = (hour === 2 ? 0.08 : 0.01) * (1 + 0.1 * gauss()) + (burst ? 0.25 : 0);
    const eo: Observation = { metric: 'errors.rate', key: 'xcart-sage300-orders', value: Math.max(0, rate), at };
    if (scoring) test.push({ obs: [eo], injected: burst });
    else hist.push(eo);
  }
  const b = Baselines.fit(hist);
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let normal = 0;
  for (const g of test) {
    const flagged = g.obs.some((o) => b.check(o));
    if (g.injected) flagged ? tp++ : fn++;
    else (normal++, flagged && fp++);
  }
  // Cost per order: its observations (total, lines, price per line) checked.
  const orders = Array.from({ length: 20_000 }, () => order(new Date(start + HOURS * 3_600_000), false));
  // Wall clock and this thread's CPU time (under load the wall clock mostly measures waiting for a core).
  let t0 = performance.now();
  let c0 = threadCpuMs();
  let sink = 0;
  for (const o of orders) for (const ob of orderObservations({ shop: 'web', total: o.total, lines: o.lines })) sink += b.check(ob) ? 1 : 0;
  const usAnomaly = ((performance.now() - t0) * 1000) / orders.length;
  const usAnomalyCpu = ((threadCpuMs() - c0) * 1000) / orders.length;

  // ---- order risk ----
  seed = 11;
  const history = new RiskHistory();
  const good: RiskOrder[] = [];
  let fraudHeld = 0;
  let fraudN = 0;
  let goodHeld = 0;
  let goodN = 0;
  const buyers = Array.from({ length: 3000 }, (_, i) => ({ id: `B${i}`, email: `buyer${i}@example.com`, country: pick(['US', 'US', 'US', 'CA', 'GB', 'DE']), addr: `${i} Main St ${10000 + i}` }));
  let t = start;
  const scored: RiskOrder[] = [];
  for (let i = 0; i < 20_000; i++) {
    t += 60_000 * (1 + rnd() * 4);
    const fraud = i > 5000 && rnd() < 0.03;
    const bu = pick(buyers);
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const s = pick(SKUS);
      return { sku: s.sku, price: (rnd() < 0.15 ? s.list * 0.85 : s.list).toFixed(2), listPrice: s.list.toFixed(2), quantity: 1 };
    });
    const o: RiskOrder = { id: `O${i}`, at: new Date(t), buyer: bu.id, email: bu.email, billingCountry: bu.country, shippingCountry: rnd() < 0.03 ? pick(['US', 'CA', 'MX']) : bu.country, shippingAddress: bu.addr, total: lines.reduce((x, l) => x + Number(l.price), 0).toFixed(2), lines };
    if (fraud) {
      // Each fraud carries one or two patterns.
      const patterns = ['mismatch', 'velocity', 'bigfirst', 'cheap', 'disposable'];
      const chosen = new Set([pick(patterns), ...(rnd() < 0.6 ? [pick(patterns)] : [])]);
      const fresh = `F${i}`;
      o.buyer = fresh;
      o.email = `${fresh.toLowerCase()}@${chosen.has('disposable') ? 'mailinator.com' : 'gmail.com'}`;
      o.shippingAddress = `${i} Drop Rd`;
      if (chosen.has('mismatch')) (o.billingCountry = 'US'), (o.shippingCountry = pick(['NG', 'RU', 'BR', 'ID']));
      if (chosen.has('cheap')) o.lines[0].price = (Number(o.lines[0].listPrice) * 0.2).toFixed(2);
      if (chosen.has('bigfirst')) (o.lines[0].quantity = 30), (o.total = (Number(o.lines[0].price) * 30).toFixed(2));
      if (chosen.has('velocity')) {
        // Earlier orders from the same address and e-mail in the last hours.
        for (let k = 0; k < 4; k++) history.record({ ...o, id: `${o.id}v${k}`, at: new Date(t - (k + 1) * 600_000) });
      }
    }
    const r = scoreOrder(o, history);
    scored.push(o);
    if (fraud) (fraudN++, r.score >= HOLD_THRESHOLD && fraudHeld++);
    else if (i > 5000) (goodN++, r.score >= HOLD_THRESHOLD && goodHeld++, good.push(o));
    history.record(o);
  }
  // Cost: the same 20,000 orders scored and recorded again into a fresh history, as a flow does.
  const again = new RiskHistory();
  t0 = performance.now();
  c0 = threadCpuMs();
  for (const o of scored) sink += scoreOrder(o, again).score, again.record(o);
  const usRisk = ((performance.now() - t0) * 1000) / scored.length;
  const usRiskCpu = ((threadCpuMs() - c0) * 1000) / scored.length;
  void sink;
  const pct = (a: number, b2: number): number => Math.round((1000 * a) / Math.max(1, b2)) / 10;
  return [
    { name: 'anomaly: injected events', value: tp + fn, unit: 'events' },
    { name: 'anomaly: recall', value: pct(tp, tp + fn), unit: '%', target: '>= 95' },
    { name: 'anomaly: precision', value: pct(tp, tp + fp), unit: '%' },
    { name: 'anomaly: false positives per normal event', value: Math.round((10000 * fp) / normal) / 100, unit: '%', target: '<= 1' },
    { name: 'anomaly: scoring cost per order, CPU', value: Math.round(usAnomalyCpu * 100) / 100, unit: 'µs', target: '< 50' },
    { name: 'anomaly: scoring cost per order, wall clock', value: Math.round(usAnomaly * 100) / 100, unit: 'µs' },
    { name: 'risk: fraud orders', value: fraudN, unit: 'orders' },
    { name: 'risk: fraud held (score >= 50)', value: pct(fraudHeld, fraudN), unit: '%' },
    { name: 'risk: good orders held', value: pct(goodHeld, goodN), unit: '%' },
    { name: 'risk: scoring + recording per order, CPU', value: Math.round(usRiskCpu * 100) / 100, unit: 'µs', target: '< 50' },
    { name: 'risk: scoring + recording per order, wall clock', value: Math.round(usRisk * 100) / 100, unit: 'µs' },
  ];
}
