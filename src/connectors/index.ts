// The connectors main.ts can wire, by system id, and — for flow documents, which name operations
// and triggers by id (decision 0005) — each connector's operations and pollers by name.
import type { Poller } from '../core/triggers.js';
import type { ConnectorDefinition } from './types.js';
import { xcartConnector, xcartOperations, createOrderPoller as xcartOrderPoller, type XcartClient } from './xcart/index.js';
import {
  sage300Connector, sage300Operations, createShipmentPoller, createInvoicePoller, createStockPoller, createCustomerPoller, createItemPoller, createPricePoller, type Sage300Client,
} from './sage300/index.js';
import { amazonConnector, amazonOperations } from './amazon/index.js';
import { createOrderPoller as amazonOrderPoller, createInventoryPoller, createSettlementPoller } from './amazon/triggers.js';
import type { SpApiClient } from './amazon/client.js';
import { SqsClient } from './amazon/sqs.js';
import { sagex3Connector, salesOrderPoller, invoicePoller, itemPoller, customerPoller, journalEntryPoller, stockPoller, type SageX3Client } from './sagex3/index.js';

export const connectors: Record<string, ConnectorDefinition<any, any>> = {
  xcart: xcartConnector,
  sage300: sage300Connector,
  amazon: amazonConnector,
  sagex3: sagex3Connector,
};

/** What a flow can call: `.call(client, input)` checks the input against the operation's schema first. */
export interface CallableOperation {
  id: string;
  docs: string;
  call(client: any, input: any): Promise<unknown>;
}

export const connectorOperations: Record<string, Record<string, CallableOperation>> = {
  xcart: xcartOperations as unknown as Record<string, CallableOperation>,
  sage300: sage300Operations as unknown as Record<string, CallableOperation>,
  amazon: amazonOperations as unknown as Record<string, CallableOperation>,
  sagex3: sagex3Connector.operations as unknown as Record<string, CallableOperation>,
};

/** Options every poller factory gets: its stable id (keys the durable cursor) and where a cursorless start begins. */
export interface PollerArgs {
  id: string;
  /** ISO instant; a poller without a cursor emits only changes from then on. Omitted: everything (initial sync). */
  since?: string;
  options?: Record<string, unknown>;
}

type PollerFactory = (client: any, args: PollerArgs) => Poller;

// Sage 300 stamps changes with a date only (DateLastMaintained, audit dates): a start instant within
// a day would miss that day's earlier changes, so a cursorless start begins at the start of its day
// (the inbox absorbs what was already seen; at worst that day's changes are sent once more).
const startOfDay = (iso: string) => `${new Date(Date.parse(iso)).toISOString().slice(0, 10)}T00:00:00Z`;
const sage300 = (make: (c: Sage300Client, o: Parameters<typeof createShipmentPoller>[1]) => Poller): PollerFactory => (client, a) =>
  make(client, { connection: a.id.replace(/:[^:]*$/, ''), ...(a.since ? { startAt: startOfDay(a.since) } : {}), ...(a.options as object) });

export const connectorTriggers: Record<string, Record<string, PollerFactory>> = {
  xcart: {
    orders: (client: XcartClient, a) => xcartOrderPoller(client, { id: a.id, ...(a.since ? { since: Math.floor(Date.parse(a.since) / 1000) } : {}), ...(a.options as object) }),
  },
  sage300: {
    shipments: sage300(createShipmentPoller),
    invoices: sage300(createInvoicePoller),
    stock: sage300(createStockPoller),
    customers: sage300(createCustomerPoller),
    items: sage300(createItemPoller),
    prices: sage300(createPricePoller),
  },
  amazon: {
    // A connection with a notification destination (sqsQueueUrl) takes ORDER_CHANGE from it at once; the sweep stays the safety net.
    orders: (client: SpApiClient, a) => amazonOrderPoller({
      id: a.id, client, ...(a.since ? { lookbackMs: Math.max(0, Date.now() - Date.parse(a.since)) } : {}),
      ...(client.config.sqsQueueUrl ? { sqs: new SqsClient({ queueUrl: client.config.sqsQueueUrl, connection: `${a.id}:sqs` }) } : {}), ...(a.options as object),
    }),
    inventory: (client: SpApiClient, a) => createInventoryPoller({ id: a.id, client, ...(a.since ? { lookbackMs: Math.max(0, Date.now() - Date.parse(a.since)) } : {}) }),
    settlements: (client: SpApiClient, a) => createSettlementPoller({ id: a.id, client, ...(a.since ? { lookbackMs: Math.max(0, Date.now() - Date.parse(a.since)) } : {}) }),
  },
  sagex3: {
    salesOrders: (client: SageX3Client, a) => salesOrderPoller(client, a.id),
    invoices: (client: SageX3Client, a) => invoicePoller(client, a.id),
    items: (client: SageX3Client, a) => itemPoller(client, a.id, a.since),
    customers: (client: SageX3Client, a) => customerPoller(client, a.id),
    journalEntries: (client: SageX3Client, a) => journalEntryPoller(client, a.id),
    stock: (client: SageX3Client, a) => stockPoller(client, a.id, a.options as never),
  },
};
