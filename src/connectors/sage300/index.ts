// The Sage 300 connector: the Sage 300 Web API (v1.0, OData over IIS, Basic auth), one operation
// per file in ./operations, change pollers in ./triggers.ts. See docs/connectors/sage300.md.
import { z } from 'zod';
import { secret } from '../secret-fields.js';
import { userError } from '../../core/errors.js';
import type { ConnectorDefinition } from '../types.js';
import { Sage300Client, type Sage300Config } from './client.js';
import { createOrder } from './operations/createOrder.js';
import { findOrdersByReference } from './operations/findOrdersByReference.js';
import { getOrder } from './operations/getOrder.js';
import { listItems } from './operations/listItems.js';
import { getItem } from './operations/getItem.js';
import { findCustomerByEmail } from './operations/findCustomerByEmail.js';
import { shipOrder } from './operations/shipOrder.js';
import { updateOrder } from './operations/updateOrder.js';
import { listInvoices } from './operations/listInvoices.js';
import { createCreditNote } from './operations/createCreditNote.js';
import { getStock } from './operations/getStock.js';
import { listStock } from './operations/listStock.js';
import { listCreditNotes } from './operations/listCreditNotes.js';
import { getItemPrice } from './operations/getItemPrice.js';
import { listLocations } from './operations/listLocations.js';
import { createCustomer } from './operations/createCustomer.js';
import { updateCustomer } from './operations/updateCustomer.js';
import { getCustomer } from './operations/getCustomer.js';
import { setOrderHold } from './operations/setOrderHold.js';
import { getCategory } from './operations/getCategory.js';
import { createShipToLocation, listShipToLocations } from './operations/shipToLocations.js';
import { listGLAccounts } from './operations/listGLAccounts.js';
import { createJournalBatch, createReceiptBatch, createRefundBatch, postBatch } from './operations/batches.js';
import { addReceiptEntry, addRefundEntry, findArEntries, getOrderDocuments } from './operations/arEntries.js';
import { WEBAPI_DOCS } from './operations/define.js';
import { iclocSqlConfigSchema } from './stock-sql.js';

export { Sage300Client, classifySage300, literal, readODataCount, type Sage300Capabilities, type Sage300Config } from './client.js';
export * from './schemas.js';
export { iclocChangesQuery, iclocSource, mssqlDialect, mssqlIclocSource, stockRow, toAuditStamp, fromAuditStamp, iclocSqlConfigSchema, type IclocSource, type IclocTables, type IclocSqlConfig } from './stock-sql.js';
export { createShipmentPoller, createInvoicePoller, createStockPoller, createCustomerPoller, createItemPoller, createPricePoller, orderShipment, type PollerOptions } from './triggers.js';
export {
  createOrder, findOrdersByReference, getOrder, listItems, getItem, findCustomerByEmail, shipOrder, updateOrder, listInvoices, createCreditNote, listCreditNotes, getItemPrice,
  getStock, listStock, listLocations, createCustomer, updateCustomer, createShipToLocation, listShipToLocations, listGLAccounts, createJournalBatch,
  createReceiptBatch, createRefundBatch, postBatch, getCustomer, setOrderHold, getCategory, addReceiptEntry, addRefundEntry, findArEntries, getOrderDocuments,
};

export const sage300ConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'baseUrl must be the server root, e.g. https://erp.example.com' }),
  company: z.string().regex(/^[A-Za-z0-9]{1,6}$/, 'company is the Sage 300 company (org) id, e.g. SAMLTD'),
  user: z.string().min(1, 'user is required (a Sage 300 user allowed to use the Web API)').max(8),
  password: secret(z.string().max(64)),
  timeoutMs: z.number().int().positive().optional(),
  /**
   * Where stock comes from (the Web API has no item-quantity resource): `webapi` = the
   * IC/ICLocationDetails extension (sandbox, partner endpoint); `sql` = read-only SQL on ICILOC.
   */
  stockSource: z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('webapi') }),
    z.strictObject({ source: z.literal('sql'), sql: iclocSqlConfigSchema }),
  ]).optional(),
  /** Declared server capabilities (skip the probe); see Sage300Capabilities. */
  capabilities: z.strictObject({ oeOrderPatch: z.boolean().optional() }).optional(),
});

/** The operations, by id (also their rate-limit bucket names). */
export const sage300Operations = {
  createOrder, findOrdersByReference, getOrder, listItems, getItem, findCustomerByEmail, shipOrder, updateOrder, listInvoices, createCreditNote, listCreditNotes, getItemPrice,
  getStock, listStock, listLocations, createCustomer, updateCustomer, createShipToLocation, listShipToLocations, listGLAccounts, createJournalBatch,
  createReceiptBatch, createRefundBatch, postBatch, getCustomer, setOrderHold, getCategory, addReceiptEntry, addRefundEntry, findArEntries, getOrderDocuments,
} as const;

// Sage 300 publishes no rate limit: it is IIS in front of the merchant's own ERP server, often
// shared with desk users. These defaults keep an integration well under what one IIS worker serves;
// raise them per connection when the server is dedicated.
export const READ_LIMIT = { ratePerSec: 20, burst: 40 };
export const WRITE_LIMIT = { ratePerSec: 5, burst: 10 };
export const POLL_LIMIT = { ratePerSec: 2, burst: 4 };

export const sage300Connector: ConnectorDefinition<Sage300Config, Sage300Client> = {
  id: 'sage300',
  name: 'Sage 300 Web API',
  apiVersion: 'v1.0 (Sage 300 2021+)',
  docs: WEBAPI_DOCS,
  configSchema: sage300ConfigSchema,
  rateLimits: {
    ...Object.fromEntries(Object.keys(sage300Operations).map((id) => [id, /^(list|get|find)/.test(id) ? READ_LIMIT : WRITE_LIMIT])),
    // Pollers share one slow bucket per kind: change detection must never crowd out deliveries.
    ...Object.fromEntries(['shipments', 'invoices', 'stock', 'customers', 'items', 'prices'].map((p) => [`poll:${p}`, POLL_LIMIT])),
  },
  createClient(config, deps) {
    const parsed = sage300ConfigSchema.safeParse(config);
    if (!parsed.success) throw invalidConfig(parsed.error);
    return new Sage300Client(parsed.data, { ...deps, rateLimits: sage300Connector.rateLimits });
  },
  async testConnection(client) {
    // Cheapest authenticated read: one customer number proves URL, user, password and company.
    await client.list('testConnection', 'AR', 'ARCustomers', z.looseObject({ CustomerNumber: z.string() }), { select: ['CustomerNumber'], limit: 1 });
    // Then what the server allows, recorded on the client (client.capabilities): updateOrder and
    // shipOrder refuse up front, with SAGE300_NOT_SUPPORTED, what this server cannot take.
    await client.probeCapabilities();
    // Sage 300's own guard against a second order with one purchase-order number is per customer
    // (A/R Customers → Processing → "Check for duplicate POs"). Syncline's settle time and look-up
    // prevent duplicates on their own; the guard is a second line the docs say to turn on.
    const notes: string[] = [];
    try {
      const off = await client.count('testConnection', 'AR', 'ARCustomers', "CheckForDuplicatePOs ne 'Error'");
      if (off > 0) notes.push(`${off} customer(s) have "Check for duplicate POs" off: set it to Error in A/R Customers (Sage 300's own guard against a second order with the same PO number; see docs/connectors/sage300.md)`);
    } catch {
      /* a server that cannot filter on the field: say nothing rather than guess */
    }
    return { notes };
  },
};

function invalidConfig(error: z.ZodError) {
  return userError('SAGE300_INVALID_CONFIG', `Sage 300 connection settings: ${error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
    details: { violations: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
