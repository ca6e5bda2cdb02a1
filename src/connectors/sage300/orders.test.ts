// Contract tests: the connector's order side against the Sage 300 sandbox over loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynclineError } from '../../core/errors.js';
import { start, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import { createOrder, findCustomerByEmail, findOrdersByReference, getItem, getOrder, listItems, sage300Connector, type Sage300Client } from './index.js';
import { failure } from '../../../test/support/failure.js';

let sb: Sage300Sandbox;
let client: Sage300Client;
let n = 0;
const conn = () => `sage300-orders-${++n}`;

beforeAll(async () => {
  sb = await start({ seed: 7 });
  client = sage300Connector.createClient({ baseUrl: sb.url, company: sb.credentials.company, user: sb.credentials.user.toLowerCase(), password: sb.credentials.password }, { connection: conn() });
});
afterAll(async () => sb?.close());


const firstItem = () => sb.company.items.table.rows().find((r) => r.StructureCode === 'CSC')!;

describe('Sage 300 connector: orders', () => {
  it('tests the connection, and refuses a wrong password as a user error', async () => {
    await sage300Connector.testConnection(client);
    const bad = sage300Connector.createClient({ baseUrl: sb.url, company: sb.credentials.company, user: 'WEBAPI', password: 'nope' }, { connection: conn() });
    const e = await failure(sage300Connector.testConnection(bad));
    expect([e.code, e.kind]).toEqual(['SAGE300_AUTH_FAILED', 'user']);
    const wrongCompany = sage300Connector.createClient({ baseUrl: sb.url, company: 'OTHER', user: 'WEBAPI', password: 'WEBAPI' }, { connection: conn() });
    expect((await failure(sage300Connector.testConnection(wrongCompany))).code).toBe('SAGE300_AUTH_FAILED');
  });

  it('rejects an incomplete configuration with a clear error', () => {
    expect(() => sage300Connector.createClient({ baseUrl: 'not a url', company: '', user: '', password: '' }, { connection: conn() })).toThrow(/baseUrl|company|user/);
  });

  it('creates an order that commits stock, and a second create with the same PO returns the first', async () => {
    const it0 = firstItem();
    const before = sb.backOffice.stock(String(it0.ItemNumber), '1');
    const order = {
      CustomerNumber: sb.webCustomer, PurchaseOrderNumber: 'XC-100001', OrderReference: 'X-Cart #100001', OrderDate: new Date().toISOString().slice(0, 10),
      ShipToName: 'Ada Lovelace', ShipToAddressLine1: '1 Analytical Way', ShipToCity: 'Portland', ShipToStateProvince: 'OR', ShipToZipPostalCode: '97205', ShipToCountry: 'US',
      OrderOptionalFields: [{ OptionalField: 'WEBORDER', Value: '100001' }],
      OrderDetails: [
        { LineType: 'Item' as const, Item: String(it0.ItemNumber), Location: '1', QuantityOrdered: '3', PricingUnitPrice: '19.99' },
        { LineType: 'Miscellaneous' as const, MiscellaneousChargesCode: 'FRT', ExtendedAmount: '7.50' },
      ],
    };
    const first = await createOrder.call(client, { order });
    expect(first.created).toBe(true);
    expect(first.order.OrderNumber).toMatch(/^ORD\d{12}$/);
    expect(first.order.OrderTotal).toBe('67.47');
    expect(first.order.OrderDetails![0]!.ExtendedAmount).toBe('59.97');
    const after = sb.backOffice.stock(String(it0.ItemNumber), '1');
    expect(after.committed - before.committed).toBe(3);
    expect(after.available).toBe(after.onHand - after.committed);

    const again = await createOrder.call(client, { order });
    expect(again).toMatchObject({ created: false, order: { OrderUniquifier: first.order.OrderUniquifier } });
    // Even without the lookup, the customer's CheckForDuplicatePOs=Error answers RecordDuplicate and the connector resolves it.
    const blind = await createOrder.call(client, { order, lookupFirst: false });
    expect(blind).toMatchObject({ created: false, order: { OrderUniquifier: first.order.OrderUniquifier } });
    expect(sb.backOffice.countOrders()).toBe(1);

    const byRef = await findOrdersByReference.call(client, { orderReference: 'X-Cart #100001' });
    expect(byRef.map((o) => o.OrderNumber)).toEqual([first.order.OrderNumber]);
    expect(await getOrder.call(client, { orderUniquifier: first.order.OrderUniquifier })).toMatchObject({ OrderNumber: first.order.OrderNumber });
    expect(await getOrder.call(client, { orderNumber: first.order.OrderNumber })).toMatchObject({ OrderUniquifier: first.order.OrderUniquifier });
    expect(await getOrder.call(client, { orderUniquifier: 99999999 })).toBeNull();
  });

  it('classifies every view error Sage returns for a bad order', async () => {
    const base = { CustomerNumber: sb.webCustomer, OrderDetails: [{ LineType: 'Item' as const, Item: String(firstItem().ItemNumber), QuantityOrdered: 1 }] };
    const unknownItem = await failure(createOrder.call(client, { order: { ...base, OrderDetails: [{ LineType: 'Item', Item: 'ZZ-9999-XXX', QuantityOrdered: 1 }] } }));
    expect([unknownItem.code, unknownItem.kind]).toEqual(['SAGE300_FIELD_INVALID', 'user']);
    expect(unknownItem.message).toContain('ZZ-9999-XXX does not exist');
    const unknownCustomer = await failure(createOrder.call(client, { order: { ...base, CustomerNumber: 'NOBODY' } }));
    expect(unknownCustomer.code).toBe('SAGE300_FIELD_INVALID');
    const shipTo = await failure(createOrder.call(client, { order: { ...base, ShipToAddressLine1: '1 Main St' } }));
    expect([shipTo.code, shipTo.kind]).toEqual(['SAGE300_REJECTED', 'user']);
    expect(shipTo.message).toContain('ShipTo was incomplete');
    const fiscal = await failure(createOrder.call(client, { order: { ...base, OrderDate: '2001-01-01' } }));
    expect(fiscal.code).toBe('SAGE300_FIELD_INVALID');
    const optField = await failure(createOrder.call(client, { order: { ...base, OrderOptionalFields: [{ OptionalField: 'NOSUCH', Value: 'x' }] } }));
    expect(optField.code).toBe('SAGE300_FIELD_INVALID');
    const dupNumber = await createOrder.call(client, { order: { ...base, OrderNumber: 'WEB-DUP-1' } });
    expect(dupNumber.created).toBe(true);
    const dup = await failure(createOrder.call(client, { order: { ...base, OrderNumber: 'WEB-DUP-1' } }));
    expect([dup.code, dup.kind]).toEqual(['SAGE300_DUPLICATE', 'user']);
  });

  it('refuses bad input before sending anything', async () => {
    const count = sb.backOffice.countOrders();
    const e = await failure(createOrder.call(client, { order: { CustomerNumber: 'C00001', OrderDetails: [{ LineType: 'Item', Item: 'A1', QuantityOrdered: 'lots' }] } } as never));
    expect([e.code, e.kind]).toEqual(['SAGE300_INVALID_INPUT', 'user']);
    const inexact = await failure(createOrder.call(client, { order: { CustomerNumber: 'C00001', OrderDetails: [{ LineType: 'Item', Item: 'A1-105/0', QuantityOrdered: 1, PricingUnitPrice: '0.1000000000000000000001' }] } }));
    expect(inexact.code).toBe('SAGE300_INVALID_INPUT');
    expect(sb.backOffice.countOrders()).toBe(count);
  });

  it('reads the Web API errors for unknown fields, malformed OData and a record in use', async () => {
    const payload = await failure(client.request({ operation: 'raw', method: 'POST', path: client.path('OE', 'OEOrders'), body: { CustomerNumber: 'C00001', Colour: 'red' } }));
    expect([payload.code, payload.kind]).toEqual(['SAGE300_INVALID_PAYLOAD', 'user']);
    const query = await failure(client.request({ operation: 'raw', path: client.path('AR', 'ARCustomers'), query: { $filter: "CustomerNumber eq 'x' and (" } }));
    expect([query.code, query.kind]).toEqual(['SAGE300_INVALID_QUERY', 'user']);
    const key = await failure(client.request({ operation: 'raw', path: `${client.path('AR', 'ARCustomers')}(Nope='1')` }));
    expect(key.code).toBe('SAGE300_INVALID_QUERY');
    const method = await failure(client.request({ operation: 'raw', method: 'POST', path: client.path('OE', 'OEInvoices'), body: {} }));
    expect([method.code, method.kind, method.details.allow]).toEqual(['SAGE300_NOT_SUPPORTED', 'user', 'GET']);
    const resource = await failure(client.request({ operation: 'raw', path: client.path('OE', 'OENothing') }));
    expect(resource.code).toBe('SAGE300_NOT_FOUND');
    const missing = await failure(client.request({ operation: 'raw', path: client.path('AR', 'ARCustomers', 'NOBODY') }));
    expect([missing.code, missing.kind]).toEqual(['SAGE300_NOT_FOUND', 'user']);

    await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ route: 'POST /Sage300WebApi', custom: { lock: 1 } }] }) });
    try {
      // Locks are record-level: seven in a row must not open the connection's circuit breaker (5 failures).
      for (let i = 0; i < 7; i++) {
        const locked = await failure(createOrder.call(client, { order: { CustomerNumber: 'C00002', OrderDetails: [{ LineType: 'Item', Item: String(firstItem().ItemNumber), QuantityOrdered: 1 }] } }));
        expect([locked.code, locked.kind]).toEqual(['SAGE300_RECORD_IN_USE', 'transient']);
      }
    } finally {
      await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [] }) });
    }
  });

  it('resolves formatted and unformatted item numbers, and pages through more than 1,000 items', async () => {
    const it0 = firstItem();
    expect(await getItem.call(client, { itemNumber: String(it0.ItemNumber) })).toMatchObject({ UnformattedItemNumber: it0.UnformattedItemNumber });
    expect(await getItem.call(client, { itemNumber: String(it0.UnformattedItemNumber).toLowerCase() })).toMatchObject({ ItemNumber: it0.ItemNumber });
    expect(await getItem.call(client, { itemNumber: 'A1-105/0' })).toMatchObject({ UnformattedItemNumber: 'A11050' });
    expect(await getItem.call(client, { itemNumber: 'NO-SUCH-ITEM' })).toBeNull();

    for (let i = 0; i < 900; i++) {
      sb.company.items.create({ UnformattedItemNumber: `ZZ${String(i).padStart(4, '0')}`, Description: `Bulk ${i}`, StructureCode: 'LONG', StockItem: true, StockingUnitOfMeasure: 'Ea.' });
    }
    const total = sb.company.items.table.size;
    expect(total).toBeGreaterThan(1000);
    const all = await listItems.call(client, {});
    expect(all.length).toBe(total);
    expect(new Set(all.map((i) => i.UnformattedItemNumber)).size).toBe(total);
    const some = await listItems.call(client, { itemNumberStartsWith: 'ZZ01', limit: 50 });
    expect(some.length).toBe(50);
    expect(some.every((i) => i.ItemNumber.startsWith('ZZ01'))).toBe(true);
  });

  it('finds customers by email, whatever the case of the address given', async () => {
    const c = sb.company.customers.table.get('C00003')!;
    const hits = await findCustomerByEmail.call(client, { email: String(c.Email).toUpperCase() === String(c.Email) ? String(c.Email) : String(c.Email) });
    expect(hits.map((h) => h.CustomerNumber)).toEqual(['C00003']);
    expect(await findCustomerByEmail.call(client, { email: 'nobody@example.com' })).toEqual([]);
    const bad = await failure(findCustomerByEmail.call(client, { email: 'not-an-email' }));
    expect(bad.code).toBe('SAGE300_INVALID_INPUT');
  });
});
