// Triggers against the sandbox: the SQS notification consumer (ack after the engine stored the batch,
// redelivery after the visibility timeout, duplicates and reordering absorbed by (id, version)), the
// LastUpdatedAfter fallback with its durable watermark, and settlement discovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type RunningAmazonSandbox } from '../../sandboxes/amazon/index.js';
import { clientFor } from './testing.js';
import * as ops from './operations/index.js';
import { createNotificationPoller, createOrderPoller, createSettlementPoller, notificationEvent } from './triggers.js';
import type { SpApiClient } from './client.js';
import { SqsClient } from './sqs.js';
import type { IncomingEvent } from '../../core/triggers.js';

let sb: RunningAmazonSandbox;
let client: SpApiClient;
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:syncline-notifications';

beforeAll(async () => {
  sb = await start({ historicalOrders: 0, seed: 21 });
  client = clientFor(sb);
  const dest = await ops.createDestination.call(client, { name: 'syncline', sqsArn: QUEUE });
  for (const t of ['ORDER_CHANGE', 'FBA_INVENTORY_AVAILABILITY_CHANGES', 'FULFILLMENT_ORDER_STATUS'] as const) await ops.createSubscription.call(client, { notificationType: t, destinationId: dest.destinationId });
});
afterAll(async () => sb?.close());

const queueUrl = () => String(sb.credentials.sqsQueueUrl);

describe('amazon triggers: SQS notifications', () => {
  it('turns notifications into order / inventory / fulfillment-order events and deletes them only on the next poll', async () => {
    const q = sb.sandbox.queue('syncline-notifications');
    q.messages.length = 0;
    const o = sb.sandbox.market.placeOrder({ channel: 'AFN' });
    const poller = createNotificationPoller({ id: 'amz:notifications', queueUrl: queueUrl(), waitS: 1, max: 10 });
    const events: IncomingEvent[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await poller.poll(cursor);
      events.push(...r.events);
      cursor = r.cursor;
      if (!r.more) break;
    }
    const orderEv = events.filter((e) => e.entity === 'order');
    expect(orderEv.map((e) => e.id)).toContain(o.id);
    expect(events.filter((e) => e.entity === 'inventory').map((e) => e.id).sort()).toEqual([...new Set(o.items.map((i) => i.sku))].sort());
    expect(events.every((e) => e.version >= '2000')).toBe(true);
    // The last batch is still on the queue (hidden) until the engine comes back for more.
    expect(q.messages.length).toBeGreaterThan(0);
    await poller.poll(cursor);
    expect(q.messages.length).toBe(0);
  });

  it('redelivers a message whose receipt was never acknowledged, once its visibility timeout passes', async () => {
    const q = sb.sandbox.queue('syncline-notifications');
    q.messages.length = 0;
    const o = sb.sandbox.market.placeOrder({ channel: 'MFN' });
    const poller = createNotificationPoller({ id: 'amz:n2', queueUrl: queueUrl(), waitS: 1, visibilityS: 30 });
    const first = await poller.poll(null);
    expect(first.events.map((e) => e.id)).toContain(o.id);
    // The engine crashed before storing: nothing acknowledged. Still hidden for now…
    expect((await poller.poll(null)).events).toHaveLength(0);
    sb.sandbox.clock.advance(31_000);
    const again = await poller.poll(null);
    expect(again.events.map((e) => `${e.id}@${e.version}`)).toEqual(first.events.map((e) => `${e.id}@${e.version}`));
    expect(q.messages.every((m) => m.receiveCount === 2)).toBe(true);
  });

  it('duplicate and out-of-order deliveries (faults) carry the same dedupe keys', async () => {
    const q = sb.sandbox.queue('syncline-notifications');
    q.messages.length = 0;
    sb.sandbox.faults!.set({ rules: [{ route: '/sqs', custom: { duplicate: 1, reorder: 0.5 } }], seed: 3 });
    const o = sb.sandbox.market.placeOrder({ channel: 'MFN' });
    sb.sandbox.market.shipOrder(o.id);
    sb.sandbox.faults!.set({ rules: [], seed: 1 });
    const poller = createNotificationPoller({ id: 'amz:n3', queueUrl: queueUrl(), waitS: 1 });
    const events: IncomingEvent[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await poller.poll(cursor);
      events.push(...r.events);
      cursor = r.cursor;
      if (!r.events.length) break;
    }
    const mine = events.filter((e) => e.entity === 'order' && e.id === o.id);
    const keys = mine.map((e) => e.version);
    expect(mine.length).toBe(2 * new Set(keys).size);
    expect(new Set(keys).size).toBe(2);
    // Whatever the arrival order, the newest version is the shipped state.
    const newest = mine.sort((a, b) => (a.version < b.version ? 1 : -1))[0]!;
    expect((newest.payload as any).Payload.OrderChangeNotification.Summary.OrderStatus).toBe('Shipped');
  });

  it('an unreadable notification becomes an invalid-notification event, never a silent drop', () => {
    const ev = notificationEvent('not json', 'm-1');
    expect(ev).toMatchObject({ entity: 'invalid-notification', id: 'm-1' });
    const ev2 = notificationEvent({ NotificationType: 'ORDER_CHANGE', EventTime: '2026-01-01T00:00:00Z', Payload: {} }, 'm-2');
    expect(ev2.entity).toBe('invalid-notification');
  });
});

describe('amazon triggers: polling fallback and settlements', () => {
  it('the LastUpdatedAfter poller pages, keeps a durable watermark and sees later changes', async () => {
    const m = sb.sandbox.market;
    const now = sb.sandbox.clock.now();
    m.generateOrders(250, { from: now - 3_600_000 * 5, to: now - 3_600_000 });
    const poller = createOrderPoller({ id: 'amz:orders', client, lookbackMs: 6 * 3_600_000, pageSize: 100 });
    const seen = new Map<string, string>();
    let cursor: string | null = null;
    let polls = 0;
    for (;;) {
      const r = await poller.poll(cursor);
      polls++;
      for (const e of r.events) seen.set(e.id, e.version);
      cursor = r.cursor;
      if (!r.more) break;
    }
    const expected = m.orders.filter((o) => o.lastUpdate >= now - 6 * 3_600_000 && o.lastUpdate <= now - 120_000).length;
    expect(expected).toBeGreaterThan(100);
    expect(seen.size).toBe(expected);
    expect(polls).toBe(Math.ceil(expected / 100));
    const watermark = JSON.parse(cursor!).after as string;
    expect(Date.parse(watermark)).toBeLessThanOrEqual(now - 120_000 + 1000);
    // A change after the watermark is picked up by the next poll (once older than Amazon's 2 minutes).
    const changed = m.orders.find((o) => o.status === 'Unshipped' && seen.has(o.id))!;
    sb.sandbox.clock.advance(60_000);
    m.shipOrder(changed.id);
    sb.sandbox.clock.advance(3 * 60_000);
    const next = await poller.poll(cursor);
    const ev = next.events.find((e) => e.id === changed.id)!;
    expect((ev.payload as { OrderStatus: string }).OrderStatus).toBe('Shipped');
    expect(ev.version > seen.get(changed.id)!).toBe(true);
  });

  it('with a notification destination, an ORDER_CHANGE is the order at once (getOrders sees it 2 minutes later), acknowledged on the next poll; the sweep stays the safety net', async () => {
    const q = sb.sandbox.queue('syncline-notifications');
    q.messages.length = 0;
    const sqs = new SqsClient({ queueUrl: queueUrl() });
    const poller = createOrderPoller({ id: 'amz:orders-n', client, lookbackMs: 60_000, sqs, sweepEveryMs: 3_600_000 });
    // The first poll sweeps (no sweep yet) and finds nothing older than 2 minutes.
    let r = await poller.poll(null);
    const o = sb.sandbox.market.placeOrder({ channel: 'MFN', status: 'Unshipped' });
    r = await poller.poll(r.cursor);
    const ev = r.events.filter((e) => e.entity === 'order');
    expect(ev.map((e) => e.id)).toEqual([o.id]);
    expect((ev[0]!.payload as { OrderTotal: { Amount: string } }).OrderTotal.Amount).toBeTruthy();
    // The version the sweep gives the same order (LastUpdateDate, whole seconds): the inbox takes it once.
    expect(ev[0]!.version).toBe(new Date(Math.floor(o.lastUpdate / 1000) * 1000).toISOString());
    // Inventory notifications on the same destination are not orders: taken off the queue, no event.
    expect(r.events.every((e) => e.entity === 'order')).toBe(true);
    expect(q.messages.length).toBeGreaterThan(0);
    const next = await poller.poll(r.cursor);
    expect(next.events).toHaveLength(0);
    expect(q.messages.length).toBe(0);
    // No sweep page within sweepEveryMs: the cursor keeps the watermark and only acknowledges.
    expect(JSON.parse(next.cursor!).after).toBe(JSON.parse(r.cursor!).after);
    // An order whose getOrder fails stays on the queue (not acknowledged) and comes back.
    sb.sandbox.faults!.set({ rules: [{ route: 'GET /orders/v0/orders/', error5xx: 1, status5xx: 503 }] as never, seed: 1 });
    const late = sb.sandbox.market.placeOrder({ channel: 'AFN', status: 'Unshipped' });
    const failed = await poller.poll(next.cursor);
    sb.sandbox.faults!.set({ rules: [], seed: 1 });
    expect(failed.events.map((e) => e.id)).not.toContain(late.id);
    sb.sandbox.clock.advance(61_000);
    const again = await poller.poll(failed.cursor);
    expect(again.events.filter((e) => e.entity === 'order').map((e) => e.id)).toContain(late.id);
  }, 60_000);

  it('a backlog of notifications is taken up to four receives (40 messages) a poll, each order once; an idle queue costs one receive', async () => {
    const q = sb.sandbox.queue('syncline-notifications');
    q.messages.length = 0;
    const sqs = new SqsClient({ queueUrl: queueUrl() });
    let receives = 0;
    const receive = sqs.receive.bind(sqs);
    sqs.receive = (o) => (receives++, receive(o));
    // Its own client (its own buckets), and the sandbox's buckets refilled after: the 15 getOrder calls
    // would otherwise slow the next tests down to the published rate.
    const poller = createOrderPoller({ id: 'amz:orders-backlog', client: clientFor(sb), lookbackMs: 60_000, sqs, sweepEveryMs: 3_600_000 });
    let r = await poller.poll(null);
    receives = 0;
    const placed = Array.from({ length: 15 }, () => sb.sandbox.market.placeOrder({ channel: 'MFN', status: 'Unshipped' }).id);
    const messages = q.messages.length;
    expect(messages).toBeGreaterThan(10);
    expect(messages).toBeLessThan(40);
    r = await poller.poll(r.cursor);
    expect(receives).toBe(4);
    const ids = r.events.filter((e) => e.entity === 'order').map((e) => e.id);
    expect(ids.sort()).toEqual([...placed].sort());
    // Fewer than four full receives: the queue is drained, no immediate poll again.
    expect(r.more).toBe(false);
    expect(JSON.parse(r.cursor!).ack).toHaveLength(messages);
    // The next poll deletes them all; the idle queue answers one empty receive.
    const calls = sb.sandbox.stats.calls as Record<string, number>;
    const before = { ...calls };
    receives = 0;
    const next = await poller.poll(r.cursor);
    expect(next.events).toHaveLength(0);
    expect(q.messages).toHaveLength(0);
    expect(receives).toBe(1);
    expect((calls.getOrder ?? 0) - (before.getOrder ?? 0)).toBe(0);
    sb.sandbox.buckets.reset();
  }, 60_000);

  it("with notifications, the sweep keeps running when Amazon's clock is ahead of ours (an order whose notification was lost is still found)", async () => {
    const q = sb.sandbox.queue('syncline-notifications');
    const sqs = new SqsClient({ queueUrl: queueUrl() });
    const poller = createOrderPoller({ id: 'amz:orders-skew', client, lookbackMs: 3_600_000, sqs, sweepEveryMs: 0 });
    let r = await poller.poll(null);
    // Amazon's clock an hour ahead of ours (as the chaos run's 60× sandbox clock is): its watermark is then
    // in our future, and the old rule (watermark older than our now − 2 min) never swept again.
    sb.sandbox.clock.advance(3_600_000);
    r = await poller.poll(r.cursor);
    const lost = sb.sandbox.market.placeOrder({ channel: 'AFN', status: 'Unshipped' });
    q.messages.length = 0; // its ORDER_CHANGE never arrives
    sb.sandbox.clock.advance(180_000); // getOrders lists it now
    const found: string[] = [];
    for (let i = 0; i < 3 && !found.includes(lost.id); i++) {
      r = await poller.poll(r.cursor);
      found.push(...r.events.map((e) => e.id));
    }
    expect(found).toContain(lost.id);
  }, 60_000);

  it('deletes acknowledged messages ten to a call (DeleteMessageBatch); a stale handle is counted, not thrown', async () => {
    const q = sb.sandbox.queue('syncline-notifications');
    q.messages.length = 0;
    for (let i = 0; i < 12; i++) q.send(`m${i}`);
    const sqs = new SqsClient({ queueUrl: queueUrl() });
    const handles = [...(await sqs.receive({ max: 10, waitS: 0 })), ...(await sqs.receive({ max: 10, waitS: 0 }))].map((m) => m.ReceiptHandle);
    expect(handles).toHaveLength(12);
    const deletedBefore = q.deleted;
    expect(await sqs.deleteBatch([...handles, 'stale-handle'])).toBe(1);
    expect(q.messages).toHaveLength(0);
    expect(q.deleted - deletedBefore).toBe(12);
    // The sandbox refuses what SQS refuses: more than ten entries, none, repeated ids.
    const raw = async (Entries: unknown[]) => {
      const res = await fetch(queueUrl(), { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.DeleteMessageBatch' }, body: JSON.stringify({ QueueUrl: queueUrl(), Entries }) });
      return [res.status, ((await res.json()) as { __type?: string }).__type?.split('#').pop()];
    };
    expect(await raw(Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, ReceiptHandle: 'h' })))).toEqual([400, 'TooManyEntriesInBatchRequest']);
    expect(await raw([])).toEqual([400, 'EmptyBatchRequest']);
    expect(await raw([{ Id: 'a', ReceiptHandle: 'h' }, { Id: 'a', ReceiptHandle: 'h' }])).toEqual([400, 'BatchEntryIdsNotDistinct']);
  });

  it('discovers each new settlement report once', async () => {
    const poller = createSettlementPoller({ id: 'amz:settlements', client });
    const first = await poller.poll(null);
    const before = first.events.length;
    sb.sandbox.market.closeSettlement();
    const second = await poller.poll(first.cursor);
    const fresh = second.events.filter((e) => !first.events.some((f) => f.id === e.id));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.entity).toBe('settlement-report');
    expect(before).toBeGreaterThanOrEqual(0);
  });
});
