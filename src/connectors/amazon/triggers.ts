// How Amazon events enter the engine (Poller, src/core/triggers.ts):
// - notificationPoller: long-polls the SQS destination. Messages of one poll are deleted at the
//   start of the next poll, i.e. only after the engine has stored the events and cursor durably; a
//   crash in between lets SQS redeliver them and the inbox absorbs the duplicates.
// - orderPoller: the LastUpdatedAfter fallback with a durable watermark (Amazon's LastUpdatedBefore
//   of the last finished sweep), for missed or late notifications.
// - inventoryPoller: FBA inventory changed since the watermark (startDateTime).
// - settlementPoller: discovers new V2 settlement reports.
import type { IncomingEvent, Poller, PollResult } from '../../core/triggers.js';
import { SynclineError } from '../../core/errors.js';
import type { SpApiClient } from './client.js';
import { getOrders } from './operations/getOrders.js';
import { getOrder } from './operations/getOrder.js';
import { getInventorySummaries } from './operations/getInventorySummaries.js';
import { SqsClient } from './sqs.js';
import { listSettlementReports } from './workflows.js';
import { declareVersionScheme, ISO_MS_SCHEME } from '../../core/versions.js';

const SYSTEM = 'amazon';

/** What a notification is about: the record it names and a version that sorts by event time. */
export function notificationEvent(body: unknown, messageId: string): IncomingEvent {
  const n = body as Record<string, any>;
  const type: string | undefined = n?.NotificationType ?? n?.notificationType;
  const time: string | undefined = n?.EventTime ?? n?.eventTime;
  const meta = n?.NotificationMetadata ?? n?.notificationMetadata;
  // An EventTime that is no date gives no version (the notification is then an invalid one), never a throw.
  const at = typeof time === 'string' ? new Date(time) : undefined;
  const base = { system: SYSTEM, version: at && !Number.isNaN(at.getTime()) ? at.toISOString() : '', payload: n };
  switch (type) {
    case 'ORDER_CHANGE': {
      const id = n.Payload?.OrderChangeNotification?.AmazonOrderId;
      if (typeof id === 'string' && base.version) return { ...base, entity: 'order', id };
      break;
    }
    case 'FBA_INVENTORY_AVAILABILITY_CHANGES': {
      const id = n.Payload?.SKU;
      if (typeof id === 'string' && base.version) return { ...base, entity: 'inventory', id };
      break;
    }
    case 'FULFILLMENT_ORDER_STATUS': {
      const id = n.Payload?.FulfillmentOrderStatusNotification?.SellerFulfillmentOrderId;
      if (typeof id === 'string' && base.version) return { ...base, entity: 'fulfillment-order', id };
      break;
    }
    case 'REPORT_PROCESSING_FINISHED': {
      const id = n.payload?.reportProcessingFinishedNotification?.reportId;
      if (typeof id === 'string' && base.version) return { ...base, entity: 'report', id };
      break;
    }
    case 'FEED_PROCESSING_FINISHED': {
      const id = n.payload?.feedProcessingFinishedNotification?.feedId;
      if (typeof id === 'string' && base.version) return { ...base, entity: 'feed', id };
      break;
    }
  }
  // Never dropped silently: an unreadable notification becomes an event the engine dead-letters.
  return { system: SYSTEM, entity: 'invalid-notification', id: String(meta?.NotificationId ?? meta?.notificationId ?? messageId), version: '0', payload: { type: type ?? null, body } };
}

export interface NotificationPollerOptions {
  id: string;
  queueUrl: string;
  /** Long-poll wait per poll (SQS: 0–20 s). */
  waitS?: number;
  /** How long a received message stays hidden; must exceed the engine's time to store a batch. */
  visibilityS?: number;
  max?: number;
  sqs?: SqsClient;
}

export function createNotificationPoller(opts: NotificationPollerOptions): Poller & { sqs: SqsClient } {
  const sqs = opts.sqs ?? new SqsClient({ queueUrl: opts.queueUrl, connection: `${opts.id}:sqs` });
  return {
    id: opts.id,
    sqs,
    async poll(cursor: string | null): Promise<PollResult> {
      // The previous batch is durable now (the engine calls poll again only after storing it).
      const pending: string[] = cursor ? ((JSON.parse(cursor) as { ack?: string[] }).ack ?? []) : [];
      await sqs.deleteBatch(pending);
      const messages = await sqs.receive({ max: opts.max ?? 10, waitS: opts.waitS ?? 20, visibilityS: opts.visibilityS ?? 60 });
      const events: IncomingEvent[] = [];
      for (const m of messages) {
        let body: unknown;
        try {
          body = JSON.parse(m.Body);
        } catch {
          body = m.Body;
        }
        events.push(notificationEvent(body, m.MessageId));
      }
      return { events, cursor: JSON.stringify({ ack: messages.map((m) => m.ReceiptHandle) }), more: messages.length === (opts.max ?? 10) };
    },
  };
}

interface OrderCursor {
  /** Watermark: everything updated before it has been listed. */
  after: string;
  nextToken?: string;
  /** Upper bound of the sweep in progress (becomes `after` when it ends). */
  bound?: string;
  /** SQS receipt handles of the last poll's notifications, deleted once the engine stored their events. */
  ack?: string[];
  /** When the last sweep page was read (with notifications, the sweep is the safety net). */
  sweptAt?: number;
  /**
   * The watermark is still the first one, from our clock (since / lookback), not one Amazon gave
   * (LastUpdatedBefore): only then is it compared with our clock to wait out Amazon's 2 minutes.
   */
  local?: true;
}

export interface OrderPollerOptions {
  id: string;
  client: SpApiClient;
  /** First run: look back this far (default 1 day). */
  lookbackMs?: number;
  pageSize?: number;
  /** Also fetch names/addresses (RDT). Default false: flows fetch PII per order when they need it. */
  pii?: boolean;
  /**
   * The notification destination (SQS) subscribed to ORDER_CHANGE. Each poll first takes what it holds:
   * every ORDER_CHANGE becomes the order as getOrder gives it, at once (getOrders only lists changes older
   * than 2 minutes). The LastUpdatedAfter sweep stays as the safety net, one page every `sweepEveryMs`.
   */
  sqs?: SqsClient;
  /** Long-poll wait on the destination per poll (default 0: the engine's poll interval paces it). */
  notificationWaitS?: number;
  /** With notifications: how often a sweep page is read (default 60 s, getOrders' published rate). */
  sweepEveryMs?: number;
}

const NOTIFICATIONS_PER_POLL = 10;
const EXTRA_RECEIVES_WHEN_FULL = 3;

/** An order as getOrder or getOrders gives it → its event (the version scheme declared below). */
const orderEvent = (o: { AmazonOrderId: string; LastUpdateDate: string }): IncomingEvent => ({ system: SYSTEM, entity: 'order', id: o.AmazonOrderId, version: new Date(o.LastUpdateDate).toISOString(), payload: o });
/** getOrders answers for changes at least this old (and refuses a LastUpdatedAfter younger), with 5 s of clock skew. */
const AMAZON_LISTING_DELAY_MS = 125_000;

export function createOrderPoller(opts: OrderPollerOptions): Poller {
  /** ORDER_CHANGE notifications → the orders they name, read now; a message whose order cannot be read stays in the queue and comes back. */
  async function notified(sqs: SqsClient): Promise<{ events: IncomingEvent[]; ack: string[]; full: boolean }> {
    const receive = () => sqs.receive({ max: NOTIFICATIONS_PER_POLL, waitS: opts.notificationWaitS ?? 0, visibilityS: 60 });
    // SQS gives at most 10 messages a receive. A full one means a backlog: more receives at once
    // (SQS hands each message to one of them while it is invisible), so a poll — and the engine's
    // round of storing its events — carries up to 40 orders instead of 10. An idle queue costs one.
    const first = await receive();
    const batches = first.length === NOTIFICATIONS_PER_POLL ? [first, ...(await Promise.all(Array.from({ length: EXTRA_RECEIVES_WHEN_FULL }, receive)))] : [first];
    const messages = batches.flat();
    const read = await Promise.allSettled(messages.map(async (m): Promise<IncomingEvent | null> => {
      let body: unknown;
      try {
        body = JSON.parse(m.Body);
      } catch {
        body = m.Body;
      }
      const n = notificationEvent(body, m.MessageId);
      if (n.entity === 'invalid-notification') return n;
      // Another type on the same destination belongs to another consumer's subscription: not an order.
      if (n.entity !== 'order') return null;
      const o = await getOrder.call(opts.client, { orderId: n.id, pii: opts.pii ?? false });
      return orderEvent(o);
    }));
    const events: IncomingEvent[] = [];
    const ack: string[] = [];
    read.forEach((r, i) => {
      if (r.status === 'rejected') return;
      if (r.value) events.push(r.value);
      ack.push(messages[i]!.ReceiptHandle);
    });
    return { events, ack, full: batches.every((b) => b.length === NOTIFICATIONS_PER_POLL) };
  }

  return {
    id: opts.id,
    async poll(cursor: string | null): Promise<PollResult> {
      const state: OrderCursor = cursor ? (JSON.parse(cursor) as OrderCursor) : { after: new Date(Date.now() - (opts.lookbackMs ?? 86_400_000)).toISOString(), local: true };
      const sweep: OrderCursor = { after: state.after, ...(state.nextToken ? { nextToken: state.nextToken } : {}), ...(state.bound ? { bound: state.bound } : {}), ...(state.local ? { local: true as const } : {}) };
      let events: IncomingEvent[] = [];
      let extra: Pick<OrderCursor, 'ack' | 'sweptAt'> = {};
      if (opts.sqs) {
        // The previous poll's events are durable now (the engine polls again only after storing them).
        await opts.sqs.deleteBatch(state.ack ?? []);
        const n = await notified(opts.sqs);
        events = n.events;
        extra = { ack: n.ack, ...(state.sweptAt ? { sweptAt: state.sweptAt } : {}) };
        // Amazon lists only changes older than 2 minutes: a first watermark (our clock) younger than that
        // has nothing to sweep yet. One Amazon gave (its LastUpdatedBefore, on its clock) is never
        // compared with ours: with Amazon's clock ahead of ours, the safety net would never sweep again.
        const young = state.local && Date.parse(state.after) >= Date.now() - AMAZON_LISTING_DELAY_MS;
        const due = state.nextToken || ((!state.sweptAt || Date.now() - state.sweptAt >= (opts.sweepEveryMs ?? 60_000)) && !young);
        if (!due) return { events, cursor: JSON.stringify({ ...sweep, ...extra }), more: n.full };
        extra.sweptAt = Date.now();
      }
      let page;
      try {
        page = sweep.nextToken
          ? await getOrders.call(opts.client, { nextToken: sweep.nextToken, pii: opts.pii ?? false })
          : await getOrders.call(opts.client, { lastUpdatedAfter: sweep.after, maxResultsPerPage: opts.pageSize ?? 100, pii: opts.pii ?? false });
      } catch (e) {
        // A token Amazon no longer accepts: sweep the window again from the watermark (the inbox dedupes).
        if (e instanceof SynclineError && e.code === 'AMAZON_NEXT_TOKEN_REJECTED' && sweep.nextToken) return { events, cursor: JSON.stringify({ after: sweep.after, ...(sweep.local ? { local: true } : {}), ...extra }), more: true };
        // The notified orders are not lost to a failed sweep: they go now, the sweep is tried again next poll.
        if (opts.sqs && events.length) return { events, cursor: JSON.stringify({ ...sweep, ack: extra.ack, ...(state.sweptAt ? { sweptAt: state.sweptAt } : {}) }), more: true };
        throw e;
      }
      events = events.concat(page.orders.map(orderEvent));
      const bound = sweep.bound ?? page.lastUpdatedBefore;
      if (page.nextToken) return { events, cursor: JSON.stringify({ after: sweep.after, nextToken: page.nextToken, bound, ...(sweep.local ? { local: true } : {}), ...extra }), more: true };
      return { events, cursor: JSON.stringify({ after: bound ?? sweep.after, ...(!bound && sweep.local ? { local: true } : {}), ...extra }) };
    },
  };
}

export interface InventoryPollerOptions {
  id: string;
  client: SpApiClient;
  lookbackMs?: number;
}

export function createInventoryPoller(opts: InventoryPollerOptions): Poller {
  return {
    id: opts.id,
    async poll(cursor: string | null): Promise<PollResult> {
      const since = cursor ?? new Date(Date.now() - (opts.lookbackMs ?? 86_400_000)).toISOString();
      const startedAt = new Date().toISOString();
      const events: IncomingEvent[] = [];
      // nextToken lives 30 s, so a sweep runs to its end in one poll; an expired token restarts it.
      for (let restarts = 0; ; restarts++) {
        events.length = 0;
        try {
          let token: string | undefined;
          do {
            const page = await getInventorySummaries.call(opts.client, { startDateTime: since, details: true, nextToken: token });
            for (const s of page.summaries) if (s.sellerSku) events.push({ system: SYSTEM, entity: 'inventory', id: s.sellerSku, version: new Date(s.lastUpdatedTime ?? startedAt).toISOString(), payload: s });
            token = page.nextToken;
          } while (token);
          break;
        } catch (e) {
          if (restarts < 1 && e instanceof SynclineError && e.code === 'AMAZON_NEXT_TOKEN_REJECTED') continue;
          throw e;
        }
      }
      return { events, cursor: startedAt };
    },
  };
}

export function createSettlementPoller(opts: { id: string; client: SpApiClient; lookbackMs?: number }): Poller {
  return {
    id: opts.id,
    async poll(cursor: string | null): Promise<PollResult> {
      // Reports are kept 90 days; createdSince is inclusive, so the newest one seen comes again and is deduped.
      const since = cursor ?? new Date(Date.now() - (opts.lookbackMs ?? 89 * 86_400_000)).toISOString();
      const reports = await listSettlementReports(opts.client, since);
      const events: IncomingEvent[] = reports.map((r) => ({ system: SYSTEM, entity: 'settlement-report', id: r.reportId, version: new Date(r.createdTime).toISOString(), payload: r }));
      const newest = reports.at(-1)?.createdTime;
      return { events, cursor: newest ? new Date(newest).toISOString() : since };
    },
  };
}

// Every Amazon entity arrives by notification and/or by polling: both stamp the version as an
// ISO-8601 UTC instant with milliseconds (Date#toISOString), which compares correctly as a string.
for (const entity of ['order', 'inventory', 'fulfillment-order', 'report', 'feed', 'settlement-report']) declareVersionScheme('amazon', entity, ISO_MS_SCHEME);
declareVersionScheme('amazon', 'invalid-notification', { describe: '"0" (an unreadable notification is dead-lettered, never compared)', pattern: /^0$/ });
