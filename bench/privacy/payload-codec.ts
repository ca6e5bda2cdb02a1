// What sealing payloads at rest costs per order (decision 0006): for each order the engine seals the
// event and its job (two AES-256-GCM encryptions of the JSON) and opens the job once when a worker
// claims it; compared with the plain JSON.stringify / JSON.parse it replaces. The order is the
// mapping bench's X-Cart order (5 lines, two addresses). Interleaved rounds, median reported.
import { randomBytes } from 'node:crypto';
import type { Figure } from '../run.js';
import { plainCodec, sealedCodec, type PayloadCodec } from '../../src/core/payload-codec.js';
import { SecretBox } from '../../src/core/secrets.js';
import { median } from '../support/stats.js';
import { makeOrders } from '../mapping/order.js';

export default async function (): Promise<Figure[]> {
  const orders = makeOrders(200).map((payload, i) => ({ eventId: i + 1, system: 'xcart', entity: 'order', id: String(i + 1), version: '001796608962.0000', payload }));
  const sealed = sealedCodec(SecretBox.fromKey(randomBytes(32).toString('hex')));
  /** µs per order: encode event + encode job + decode job. */
  const perOrder = (codec: PayloadCodec, rounds: number): number => {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) {
      for (const o of orders) {
        codec.encode(o.payload);
        codec.decode(codec.encode(o));
      }
    }
    return Number(process.hrtime.bigint() - t0) / 1000 / (rounds * orders.length);
  };
  perOrder(sealed, 20); // warm-up
  perOrder(plainCodec, 20);
  const s: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < 7; i++) {
    s.push(perOrder(sealed, 20));
    p.push(perOrder(plainCodec, 20));
  }
  const bytes = Buffer.byteLength(JSON.stringify(orders[0]));
  return [
    { name: 'sealed payloads: seal event + seal job + open job, per order', value: median(s), unit: 'µs' },
    { name: 'plain JSON it replaces, per order', value: median(p), unit: 'µs' },
    { name: 'added cost per order', value: median(s) - median(p), unit: 'µs' },
    { name: 'order JSON size', value: bytes, unit: 'bytes' },
  ];
}
