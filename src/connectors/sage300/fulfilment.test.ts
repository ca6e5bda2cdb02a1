// Contract tests: shipping, invoicing, returns, stock, customers, GL/AR batches and the change
// pollers, against the Sage 300 sandbox over loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynclineError } from '../../core/errors.js';
import { start, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import {
  createCreditNote, createCustomer, createCustomerPoller, createInvoicePoller, createItemPoller, createJournalBatch, createOrder, createReceiptBatch, createRefundBatch,
  createShipToLocation, createShipmentPoller, createStockPoller, getOrder, getStock, listGLAccounts, listInvoices, listLocations, listShipToLocations,
  postBatch, sage300Connector, shipOrder, updateCustomer, updateOrder, type Sage300Client,
} from './index.js';
import { failure } from '../../../test/support/failure.js';

let sb: Sage300Sandbox;
let client: Sage300Client;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  // A Sage 300 release whose OEOrders takes PATCH (the 2022 Endpoint Reference lists GET and POST
  // only; capabilities.test.ts covers that default). Existing orders can be changed and shipped here.
  sb = await start({ seed: 11, features: { oeOrderPatch: true } });
  client = sage300Connector.createClient({ baseUrl: sb.url, company: sb.credentials.company, user: sb.credentials.user, password: sb.credentials.password }, { connection: 'sage300-fulfilment' });
});
afterAll(async () => sb?.close());


const stockedItems = () => sb.company.items.table.rows().filter((r) => r.StructureCode === 'CSC' && Number(sb.company.stock(String(r.UnformattedItemNumber), '1').QuantityOnHand) >= 10);

async function newOrder(po: string, qty = 4) {
  const [a, b] = stockedItems();
  const { order } = await createOrder.call(client, { order: { CustomerNumber: 'C00010', PurchaseOrderNumber: po, OrderDetails: [
    { LineType: 'Item', Item: String(a!.ItemNumber), Location: '1', QuantityOrdered: qty },
    { LineType: 'Item', Item: String(b!.ItemNumber), Location: '1', QuantityOrdered: 1 },
    { LineType: 'Miscellaneous', MiscellaneousChargesCode: 'FRT', ExtendedAmount: '9.95' },
  ] } });
  return { order, a: String(a!.ItemNumber), b: String(b!.ItemNumber) };
}

describe('Sage 300 connector: fulfilment', () => {
  it('ships part of an order and invoices it, then ships the rest; stock moves from committed to gone', async () => {
    const { order, a } = await newOrder('SHIP-1');
    const s0 = sb.backOffice.stock(a, '1');
    const partial = await shipOrder.call(client, { orderUniquifier: order.OrderUniquifier, lines: [{ lineNumber: order.OrderDetails![0]!.LineNumber, quantity: 3 }], shipViaCode: 'UPS', trackingNumber: '1Z999AA10123456784' });
    expect(partial.LastShipmentNumber).toMatch(/^SH\d{12}$/);
    expect(partial.LastInvoiceNumber).toMatch(/^IN\d{12}$/);
    const s1 = sb.backOffice.stock(a, '1');
    expect([s0.onHand - s1.onHand, s0.committed - s1.committed]).toEqual([3, 3]);
    // The remaining unit is now a backorder: the shipment-to-shop mapping reads this as "partially shipped".
    expect(partial.OrderDetails![0]).toMatchObject({ QuantityShippedToDate: '3', QuantityBackordered: '1', QuantityCommitted: '1' });
    const invoices = await listInvoices.call(client, { orderNumber: order.OrderNumber });
    expect(invoices).toHaveLength(1);
    // The first invoice carries 3 units at the list price plus the freight charge.
    const price = Number(order.OrderDetails![0]!.PricingUnitPrice);
    expect(Number(invoices[0]!.InvoiceSubtotalAmount)).toBeCloseTo(3 * price + 9.95, 2);

    const rest = await shipOrder.call(client, { orderUniquifier: order.OrderUniquifier });
    expect(rest.LastShipmentNumber).not.toBe(partial.LastShipmentNumber);
    expect(rest.OrderCompleted).toBe('Completed');
    expect(sb.backOffice.stock(a, '1').committed).toBe(s0.committed - 4);
    expect(await listInvoices.call(client, { orderNumber: order.OrderNumber })).toHaveLength(2);
    const done = await failure(shipOrder.call(client, { orderUniquifier: order.OrderUniquifier }));
    expect(done.kind).toBe('user');
  });

  it('refuses to ship more than is on hand, with Sage\'s message', async () => {
    const { order, a } = await newOrder('SHIP-2');
    const onHand = sb.backOffice.stock(a, '1').onHand;
    const e = await failure(shipOrder.call(client, { orderUniquifier: order.OrderUniquifier, lines: [{ lineNumber: order.OrderDetails![0]!.LineNumber, quantity: onHand + 100 }] }));
    expect(e.kind).toBe('user');
  });

  it('PATCH with UpdateOperation keeps lines it does not mention; PUT is refused', async () => {
    const { order, a, b } = await newOrder('EDIT-1', 2);
    const [l1, l2] = order.OrderDetails!;
    const committedB = sb.backOffice.stock(b, '1').committed;
    const patched = await updateOrder.call(client, { orderUniquifier: order.OrderUniquifier, header: { OrderComment: 'gift' }, lines: [
      { UpdateOperation: 'Update', LineNumber: l1!.LineNumber, QuantityOrdered: 5 },
      { UpdateOperation: 'Insert', LineType: 'Item', Item: a, Location: '2', QuantityOrdered: 1 },
    ] });
    expect(patched.OrderDetails!.map((l) => l.LineNumber)).toEqual([l1!.LineNumber, l2!.LineNumber, order.OrderDetails![2]!.LineNumber, order.OrderDetails![2]!.LineNumber + 32]);
    expect(patched.OrderDetails![0]!.QuantityOrdered).toBe('5');
    const deleted = await updateOrder.call(client, { orderUniquifier: order.OrderUniquifier, lines: [{ UpdateOperation: 'Delete', LineNumber: l2!.LineNumber }] });
    expect(deleted.OrderDetails!.some((l) => l.LineNumber === l2!.LineNumber)).toBe(false);
    expect(sb.backOffice.stock(b, '1').committed).toBe(committedB - 1);

    // PUT (which would purge every detail line not resent) is not taken on OE orders even here.
    const put = await failure(client.request({ operation: 'raw', method: 'PUT', path: client.path('OE', 'OEOrders', order.OrderUniquifier), body: { OrderDetails: [{ LineNumber: l1!.LineNumber, QuantityOrdered: 5 }] } }));
    expect([put.code, put.details.allow]).toEqual(['SAGE300_NOT_SUPPORTED', 'GET, POST, PATCH']);
  });

  it('creates a credit note once, returning stock to the location', async () => {
    const [it0] = stockedItems();
    const before = sb.backOffice.stock(String(it0!.ItemNumber), '1').onHand;
    const input = { CustomerNumber: 'C00010', Reference: 'RMA-77', Description: 'Return of web order', CreditDebitDetails: [
      { LineType: 'Item' as const, Item: String(it0!.ItemNumber), Location: '1', QuantityReturned: 2, UnitPrice: '12.50' },
      { LineType: 'Miscellaneous' as const, MiscellaneousChargesCode: 'FRT', ExtendedAmountMiscellaneousCharge: '5.00' },
    ] };
    const first = await createCreditNote.call(client, input);
    expect(first.created).toBe(true);
    expect(first.creditNote.CreditDebitNoteTotal).toBe('30');
    expect(sb.backOffice.stock(String(it0!.ItemNumber), '1').onHand).toBe(before + 2);
    const again = await createCreditNote.call(client, input);
    expect(again).toMatchObject({ created: false, creditNote: { CNUniquifier: first.creditNote.CNUniquifier } });
    expect(sb.backOffice.stock(String(it0!.ItemNumber), '1').onHand).toBe(before + 2);
  });

  it('reads stock per location with available = on hand − committed, and the location master', async () => {
    const { a } = await newOrder('STOCK-1', 2);
    const rows = await getStock.call(client, { itemNumber: a });
    expect(rows.map((r) => r.Location).sort()).toEqual(['1', '2']);
    for (const r of rows) expect(Number(r.QuantityAvailable)).toBe(Number(r.QuantityOnHand) - Number(r.QuantityCommitted));
    expect(Number(rows.find((r) => r.Location === '1')!.QuantityCommitted)).toBeGreaterThanOrEqual(2);
    const unformatted = await getStock.call(client, { itemNumber: a.replace(/-/g, ''), location: '1' });
    expect(unformatted).toHaveLength(1);
    const locations = await listLocations.call(client, {});
    expect(locations.map((l) => l.LocationKey)).toEqual(expect.arrayContaining(['1', '2', 'TRANS']));
  });

  it('creates customers once, patches them, and manages their ship-to locations', async () => {
    // Keys with characters that mean something in a URL still address one record.
    const odd = await createCustomer.call(client, { CustomerNumber: "12/A#1 O'B", ShortName: 'Odd', GroupCode: 'WEB' });
    expect(odd.created).toBe(true);
    expect((await updateCustomer.call(client, { customerNumber: "12/A#1 O'B", changes: { City: 'Paris' } })).City).toBe('Paris');
    const input = { CustomerNumber: 'WEB000123', ShortName: 'Lovelace', GroupCode: 'WEB', CustomerName: 'Ada Lovelace', Email: 'ada@example.com', AddressLine1: '1 Analytical Way', City: 'Portland', StateProvince: 'OR', ZipPostalCode: '97205', Country: 'US', CreditLimitCustomerCurrency: '2500.00' };
    expect((await createCustomer.call(client, input)).created).toBe(true);
    expect((await createCustomer.call(client, input)).created).toBe(false);
    const updated = await updateCustomer.call(client, { customerNumber: 'WEB000123', changes: { PhoneNumber: '+1 503 555 0100' } });
    expect(updated).toMatchObject({ CustomerName: 'Ada Lovelace', CreditLimitCustomerCurrency: '2500' });
    expect(sb.company.customers.table.get('WEB000123')!.PhoneNumber).toBe('+1 503 555 0100');
    const missing = await failure(updateCustomer.call(client, { customerNumber: 'NOBODY', changes: { PhoneNumber: '1' } }));
    expect(missing.code).toBe('SAGE300_NOT_FOUND');
    const st = { CustomerNumber: 'WEB000123', ShipToLocationKey: 'HOME', Description: 'Home', AddressLine1: '2 Engine St', City: 'Portland', StateProvince: 'OR', ZipPostalCode: '97205', Country: 'US' };
    expect((await createShipToLocation.call(client, st)).created).toBe(true);
    expect((await createShipToLocation.call(client, st)).created).toBe(false);
    expect((await listShipToLocations.call(client, { customerNumber: 'WEB000123' })).map((s) => s.ShipToLocationKey)).toEqual(['HOME']);
    const { order } = await createOrder.call(client, { order: { CustomerNumber: 'WEB000123', ShipToLocationCode: 'HOME', OrderDetails: [{ LineType: 'Item', Item: String(stockedItems()[0]!.ItemNumber), QuantityOrdered: 1 }] } });
    expect(order.ShipToAddressLine1).toBe('2 Engine St');
  });

  it('creates balanced GL batches once and posts them; an unbalanced entry never leaves the connector', async () => {
    const accounts = await listGLAccounts.call(client, {});
    expect(accounts.map((a) => a.UnformattedAccount)).toEqual(expect.arrayContaining(['1000', '4000', '6100']));
    const unbalanced = await failure(createJournalBatch.call(client, { Description: 'bad', JournalHeaders: [{ DocumentDate: today, JournalDetails: [{ AccountNumber: '1000', Amount: '10.00' }, { AccountNumber: '4000', Amount: '-9.99' }] }] }));
    expect([unbalanced.code, unbalanced.kind]).toEqual(['SAGE300_INVALID_INPUT', 'user']);
    // The sandbox enforces the same rule for clients that do not check.
    const raw = await failure(client.request({ operation: 'raw', method: 'POST', path: client.path('GL', 'GLJournalBatches'), body: { Description: 'raw', JournalHeaders: [{ DocumentDate: today, JournalDetails: [{ AccountNumber: '1000', Amount: 10 }, { AccountNumber: '4000', Amount: -9.99 }] }] } }));
    expect(raw.code).toBe('SAGE300_FIELD_INVALID');
    const unknownAccount = await failure(createJournalBatch.call(client, { Description: 'acct', JournalHeaders: [{ DocumentDate: today, JournalDetails: [{ AccountNumber: '1000', Amount: '1' }, { AccountNumber: '9876', Amount: '-1' }] }] }));
    expect(unknownAccount.code).toBe('SAGE300_FIELD_INVALID');

    const input = { Description: 'Payouts 2024-05-31', JournalHeaders: [{ DocumentDate: today, Description: 'card payout', JournalDetails: [
      { AccountNumber: '1000', Amount: '970.87' }, { AccountNumber: '6100', Amount: '29.13', SourceCurrencyAmount: '39.85', SourceCurrencyCode: 'CAD', ConversionRate: '0.7310' }, { AccountNumber: '1020', Amount: '-1000.00' },
    ] }] };
    const first = await createJournalBatch.call(client, input);
    expect(first).toMatchObject({ created: true, batch: { Debits: '1000', Credits: '1000', Status: 'Open' } });
    expect((await createJournalBatch.call(client, input)).created).toBe(false);
    expect(await postBatch.call(client, { ledger: 'gl', batchNumber: first.batch.BatchNumber })).toEqual({ posted: true });
    expect(sb.company.glBatches.table.get(first.batch.BatchNumber)!.Status).toBe('Posted');
    expect(await postBatch.call(client, { ledger: 'gl', batchNumber: first.batch.BatchNumber })).toEqual({ posted: true });
  });

  it('creates AR receipt and refund batches and posts them', async () => {
    const batch = { Description: 'Web receipts 1', BatchDate: today, BankCode: 'SEATAC', ReceiptsAdjustments: [{ CustomerNumber: 'C00010', ReceiptDateAdjustmentDate: today, BankReceiptAmount: '59.90', EntryReference: 'XC-1', PaymentCode: 'CCARD' }] };
    const receipts = await createReceiptBatch.call(client, batch);
    expect(receipts).toMatchObject({ created: true, batch: { BatchTotal: '59.9' } });
    expect((await createReceiptBatch.call(client, batch)).created).toBe(false);
    await postBatch.call(client, { ledger: 'arReceipts', batchNumber: receipts.batch.BatchNumber });
    expect(sb.company.resources.get('AR/ARReceiptAndAdjustmentBatches')!.table.get(`CA\u0001${receipts.batch.BatchNumber}`)!.BatchStatus).toBe('Posted');
    const badBank = await failure(createReceiptBatch.call(client, { Description: 'x', BatchDate: today, BankCode: 'NOPE', ReceiptsAdjustments: [{ CustomerNumber: 'C00010', ReceiptDateAdjustmentDate: today, BankReceiptAmount: 1 }] }));
    expect(badBank.code).toBe('SAGE300_FIELD_INVALID');
    const refunds = await createRefundBatch.call(client, { Description: 'Web refunds 1', BatchDate: today, BankCode: 'SEATAC', refunds: [{ CustomerNumber: 'C00010', DocumentDate: today, Amount: '12.00', Reference: 'RMA-77' }] });
    expect(refunds.created).toBe(true);
    await postBatch.call(client, { ledger: 'arRefunds', batchNumber: refunds.batch.BatchNumber });
    expect(sb.company.resources.get('AR/ARRefundBatches')!.table.get(String(refunds.batch.BatchNumber))!.BatchStatus).toBe('Posted');
  });

  it('polls shipments and invoices by uniquifier without gaps or repeats, throttled between polls', async () => {
    let clock = 1_000_000;
    const ships = createShipmentPoller(client, { connection: 'c', minIntervalMs: 5_000, maxPerPoll: 2, now: () => clock, source: 'extension' });
    const invoices = createInvoicePoller(client, { connection: 'c', minIntervalMs: 5_000, now: () => clock });
    let cursor: string | null = null;
    const seen: string[] = [];
    for (;;) {
      const r = await ships.poll(cursor);
      seen.push(...r.events.map((e) => e.id));
      cursor = r.cursor;
      if (!r.more) break;
    }
    const all = sb.company.shipments.table.rows().map((r) => String(r.ShipmentNumber));
    expect(seen).toEqual(all);
    // Throttled: an immediate second poll does not call Sage and changes nothing.
    expect(await ships.poll(cursor)).toEqual({ events: [], cursor });
    const { order } = await newOrder('POLL-1', 1);
    sb.backOffice.shipOrder(order.OrderNumber, { carrier: 'FEDEX', trackingNumber: '7777' });
    clock += 5_000;
    const next = await ships.poll(cursor);
    expect(next.events).toHaveLength(1);
    expect(next.events[0]!.payload).toMatchObject({ OrderNumber: order.OrderNumber, ShipViaCode: 'FEDEX', ShipmentTrackingNumber: '7777' });
    const inv = await invoices.poll(null);
    expect(inv.events.map((e) => e.id)).toEqual(sb.company.invoices.table.rows().map((r) => String(r.InvoiceNumber)));
    expect(inv.events.map((e) => e.version)).toEqual([...inv.events.map((e) => e.version)].sort());
  });

  it('polls stock and customer changes: each change once, versions increasing, nothing missed', async () => {
    let clock = 2_000_000_000_000;
    const stock = createStockPoller(client, { connection: 'c', minIntervalMs: 0, maxPerPoll: 150, now: () => clock++ });
    let cursor: string | null = null;
    let initial = 0;
    for (;;) {
      const r = await stock.poll(cursor);
      initial += r.events.length;
      cursor = r.cursor;
      if (!r.more) break;
    }
    expect(initial).toBe(sb.company.locationDetails.table.size);
    // A pass re-reads the window (here: everything, it was all stamped minutes ago) page by page.
    const drain = async (poller: typeof stock, c: string | null) => {
      const events: Array<{ id: string; version: string; payload: unknown }> = [];
      for (;;) {
        const r = await poller.poll(c);
        events.push(...r.events);
        c = r.cursor;
        if (!r.more) return { events, cursor: c };
      }
    };
    const quiet = await drain(stock, cursor);
    expect(quiet.events).toEqual([]);
    const [it0] = stockedItems();
    sb.backOffice.receiveStock(String(it0!.ItemNumber), '2', 5);
    sb.backOffice.adjustStock(String(it0!.ItemNumber), '1', -1);
    const changed = await drain(stock, quiet.cursor);
    expect(changed.events.map((e) => e.id).sort()).toEqual([`${String(it0!.ItemNumber)}@1`, `${String(it0!.ItemNumber)}@2`]);

    const customers = createCustomerPoller(client, { connection: 'c', minIntervalMs: 0, now: () => clock++ });
    let cc: string | null = null;
    let total = 0;
    let lastVersion = '';
    for (;;) {
      const r = await customers.poll(cc);
      for (const e of r.events) {
        expect(e.version > lastVersion).toBe(true);
        lastVersion = e.version;
      }
      total += r.events.length;
      cc = r.cursor;
      if (!r.more) break;
    }
    expect(total).toBe(sb.company.customers.table.size);
    expect((await drain(customers, cc)).events).toEqual([]);
    // A poller told to start now ignores the history and sees only what changes from here on.
    const fromNow = createCustomerPoller(client, { connection: 'c', minIntervalMs: 0, now: () => clock++, startAt: `${new Date().toISOString().slice(0, 10)}T00:00:00Z` });
    const fresh = await drain(fromNow, null);
    expect(fresh.events.length).toBe(sb.company.customers.table.size); // everything was stamped today…
    const tomorrow = createCustomerPoller(client, { connection: 'c', minIntervalMs: 0, now: () => clock++, startAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect((await drain(tomorrow, null)).events).toEqual([]); // …and nothing after today.
    sb.backOffice.editCustomer('C00005', { PhoneNumber: '+1 503 555 0199' });
    sb.backOffice.editCustomer('C00005', { PhoneNumber: '+1 503 555 0198' });
    const edited = await drain(customers, cc);
    expect(edited.events.map((e) => e.id)).toEqual(['C00005']);
    expect(edited.events[0]!.payload).toMatchObject({ PhoneNumber: '+1 503 555 0198' });
    expect(edited.events[0]!.version > lastVersion).toBe(true);
  });

  it('polls item changes (a price change touches the item)', async () => {
    let clock = 3_000_000_000_000;
    const items = createItemPoller(client, { connection: 'c', minIntervalMs: 0, maxPerPoll: 5_000, now: () => clock++ });
    const first = await items.poll(null);
    expect(first.events.length).toBe(sb.company.items.table.size);
    expect((await items.poll(first.cursor)).events).toEqual([]);
    const [it0] = stockedItems();
    // The item's date stamp does not change within a day, yet the poller must see the edit: it compares content.
    sb.company.items.table.replace({ ...sb.company.items.table.get(String(it0!.UnformattedItemNumber))!, Description: 'Renamed' });
    const changed = await items.poll(first.cursor);
    expect(changed.events.map((e) => e.id)).toEqual([String(it0!.ItemNumber)]);
  });

  it('drives the back office over HTTP', async () => {
    const [it0] = stockedItems();
    const post = (p: string, body: unknown) => fetch(`${sb.url}/__sandbox/backoffice/${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const received = await post('stock/receive', { item: it0!.ItemNumber, location: '2', quantity: 10 });
    expect(received.status).toBe(200);
    const level = (await (await fetch(`${sb.url}/__sandbox/backoffice/stock?item=${encodeURIComponent(String(it0!.ItemNumber))}&location=2`)).json()) as { onHand: number };
    expect(level.onHand).toBe(received.body.onHand);
    expect((await post('stock/adjust', { item: it0!.ItemNumber, location: '2', delta: -3 })).body.onHand).toBe(level.onHand - 3);
    expect((await post('stock/receive', { item: 'NOPE', location: '2', quantity: 1 })).body).toMatchObject({ error: { code: 'FieldInvalid' } });
    await post('prices', { item: it0!.ItemNumber, price: '42.50' });
    const { order } = await createOrder.call(client, { order: { CustomerNumber: 'C00011', OrderDetails: [{ LineType: 'Item', Item: String(it0!.ItemNumber), QuantityOrdered: 2 }] } });
    expect(order.OrderDetails![0]!.PricingUnitPrice).toBe('42.5');
    const shipped = await post(`orders/${order.OrderNumber}/ship`, { carrier: 'ups', trackingNumber: 'TRK-1' });
    expect(shipped.body).toMatchObject({ orderNumber: order.OrderNumber, shipmentNumber: expect.stringMatching(/^SH/), invoiceNumber: expect.stringMatching(/^IN/) });
    const edited = await fetch(`${sb.url}/__sandbox/backoffice/customers/C00011`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Email: 'new@example.com' }) });
    expect(edited.status).toBe(200);
    expect(sb.company.customers.table.get('C00011')!.Email).toBe('new@example.com');
    const count = (await (await fetch(`${sb.url}/__sandbox/backoffice/orders/count`)).json()) as { count: number };
    expect(count.count).toBe(sb.backOffice.countOrders());
  });

  it('getOrder shows what the back office did', async () => {
    const { order } = await newOrder('BO-1', 1);
    const shipped = sb.backOffice.shipOrder(order.OrderNumber, { carrier: 'UPS', trackingNumber: '1Z1' });
    const after = await getOrder.call(client, { orderNumber: order.OrderNumber });
    expect(after).toMatchObject({ LastShipmentNumber: shipped.shipmentNumber, LastInvoiceNumber: shipped.invoiceNumber, ShipViaCode: 'UPS', ShipmentTrackingNumber: '1Z1' });
  });
});
