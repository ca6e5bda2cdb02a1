// Contract tests for what a Sage 300 server allows (issue 16, point 1 and 5): the connection test
// finds out whether OE orders take PATCH; updateOrder/shipOrder refuse up front where they don't;
// ship-and-invoice at creation (Sage's own sample) works everywhere; shipments are read through the
// official OEOrders resource; counts are read in both the documented and the v4 form.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import { itWithSpecs } from '../../sandboxes/shared/specs.testkit.js';
import { createOrder, createShipmentPoller, sage300Connector, shipOrder, updateOrder, type Sage300Client, type Sage300Config } from './index.js';
import { failure } from '../../../test/support/failure.js';

const clientFor = (sb: Sage300Sandbox, extra: Partial<Sage300Config> = {}): Sage300Client =>
  sage300Connector.createClient({ baseUrl: sb.url, company: sb.credentials.company, user: sb.credentials.user, password: sb.credentials.password, ...extra }, { connection: `sage300-cap-${Math.random()}` });

const stocked = (sb: Sage300Sandbox) => sb.company.items.table.rows().filter((r) => r.StructureCode === 'CSC' && Number(sb.company.stock(String(r.UnformattedItemNumber), '1').QuantityOnHand) >= 10);

async function order(sb: Sage300Sandbox, client: Sage300Client, po: string, shipAndInvoice = false) {
  const [a] = stocked(sb);
  return (await createOrder.call(client, { shipAndInvoice, order: { CustomerNumber: 'C00010', PurchaseOrderNumber: po, ShipViaCode: 'UPS', ShipmentTrackingNumber: shipAndInvoice ? `1Z-${po}` : undefined, OrderDetails: [
    { LineType: 'Item', Item: String(a!.ItemNumber), Location: '1', QuantityOrdered: 2 },
    { LineType: 'Miscellaneous', MiscellaneousChargesCode: 'FRT', ExtendedAmount: '5.00' },
  ] } })).order;
}

describe('Sage 300 as the 2022 Endpoint Reference lists it (OEOrders: GET, POST) — the sandbox default', () => {
  let sb: Sage300Sandbox;
  let client: Sage300Client;
  beforeAll(async () => {
    sb = await start({ seed: 21 });
    client = clientFor(sb);
  });
  afterAll(async () => sb?.close());

  it('the connection test records that OE orders take no PATCH', async () => {
    expect(client.capabilities.oeOrderPatch).toBeUndefined();
    await sage300Connector.testConnection(client);
    expect(client.capabilities).toEqual({ oeOrderPatch: false });
  });

  it('updateOrder and shipOrder throw SAGE300_NOT_SUPPORTED and send nothing', async () => {
    const o = await order(sb, client, 'CAP-1');
    const rec = sb.recordRequests();
    const upd = await failure(updateOrder.call(client, { orderUniquifier: o.OrderUniquifier, header: { OrderComment: 'x' } }));
    const ship = await failure(shipOrder.call(client, { orderUniquifier: o.OrderUniquifier }));
    rec.stop();
    expect([upd.code, upd.kind, upd.details.capability]).toEqual(['SAGE300_NOT_SUPPORTED', 'user', 'oeOrderPatch']);
    expect([ship.code, ship.kind]).toEqual(['SAGE300_NOT_SUPPORTED', 'user']);
    expect(rec.requests).toEqual([]);
    expect(sb.company.orders.table.get(String(o.OrderUniquifier))!.OrderComment).not.toBe('x');
  });

  it('a client that never ran the connection test probes once, on first need', async () => {
    const fresh = clientFor(sb);
    const o = await order(sb, fresh, 'CAP-2');
    const rec = sb.recordRequests();
    expect((await failure(updateOrder.call(fresh, { orderUniquifier: o.OrderUniquifier, header: { OrderComment: 'y' } }))).code).toBe('SAGE300_NOT_SUPPORTED');
    expect((await failure(updateOrder.call(fresh, { orderUniquifier: o.OrderUniquifier, header: { OrderComment: 'y' } }))).code).toBe('SAGE300_NOT_SUPPORTED');
    rec.stop();
    expect(rec.requests.map((r) => `${r.method} ${r.url.replace(/^.*\/OE\//, 'OE/')}`)).toEqual(['PATCH OE/OEOrders(0)']);
  });

  it('a capability declared wrongly meets the 405 and is corrected on the client', async () => {
    const wrong = clientFor(sb, { capabilities: { oeOrderPatch: true } });
    const o = await order(sb, wrong, 'CAP-3');
    const e = await failure(updateOrder.call(wrong, { orderUniquifier: o.OrderUniquifier, header: { OrderComment: 'z' } }));
    expect(e.code).toBe('SAGE300_NOT_SUPPORTED');
    expect(wrong.capabilities.oeOrderPatch).toBe(false);
  });

  it('ships and invoices at creation (POST with QuantityShipped + InvoiceWillBeProduced)', async () => {
    const o = await order(sb, client, 'CAP-4', true);
    expect(o.LastShipmentNumber).toMatch(/^SH/);
    expect(o.LastInvoiceNumber).toMatch(/^IN/);
    expect(o.ShipmentTrackingNumber).toBe('1Z-CAP-4');
    expect(o.OrderDetails![0]).toMatchObject({ QuantityShippedToDate: '2', QuantityCommitted: '0' });
  });

  itWithSpecs('sage300-samples', "accepts Sage's own ship-and-invoice sample through createOrder", async (samples) => {
    const sample = JSON.parse(await readFile(path.join(samples.dir, 'OE', 'OEOrders_WithShipmentsandInvoice.txt'), 'utf8')) as never;
    const sampleSb = await start({ seed: 1 });
    try {
      const res = await createOrder.call(clientFor(sampleSb), { order: sample, lookupFirst: false });
      expect(res.order).toMatchObject({ LastShipmentNumber: expect.stringMatching(/^SH/), LastInvoiceNumber: expect.stringMatching(/^IN/) });
    } finally {
      await sampleSb.close();
    }
  });

  it('reads shipments from OE orders (official resource): one event per shipment, carrier and tracking, nothing repeated', async () => {
    let clock = 5_000_000;
    const poller = createShipmentPoller(client, { connection: 'c', minIntervalMs: 0, now: () => clock++ });
    const drain = async (cursor: string | null) => {
      const events: Array<{ id: string; payload: unknown }> = [];
      for (;;) {
        const r = await poller.poll(cursor);
        events.push(...r.events);
        cursor = r.cursor;
        if (!r.more) return { events, cursor };
      }
    };
    const first = await drain(null);
    const shipped = sb.company.orders.table.rows().filter((r) => Number(r.NumberOfShipments) > 0);
    expect(first.events.map((e) => e.id).sort()).toEqual(shipped.map((r) => String(r.LastShipmentNumber)).sort());
    const o = await order(sb, client, 'CAP-5');
    const again = await drain(first.cursor);
    expect(again.events).toEqual([]);
    const bo = sb.backOffice.shipOrder(o.OrderNumber, { carrier: 'FEDEX', trackingNumber: '7777' });
    const next = await drain(again.cursor);
    expect(next.events).toHaveLength(1);
    expect(next.events[0]).toMatchObject({ id: bo.shipmentNumber, payload: { OrderNumber: o.OrderNumber, ShipViaCode: 'FEDEX', ShipmentTrackingNumber: '7777', InvoiceNumber: bo.invoiceNumber } });
    expect((await drain(next.cursor)).events).toEqual([]);
  });

  it('reads the documented count ("odata.count":"N", a string) and the v4 one', async () => {
    const n = sb.company.customers.table.size;
    expect(await client.count('count', 'AR', 'ARCustomers')).toBe(n);
    sb.features.set({ countFormat: 'v4' });
    try {
      expect(await client.count('count', 'AR', 'ARCustomers', "CustomerNumber eq 'C00010'")).toBe(1);
    } finally {
      sb.features.set({});
    }
  });
});

describe('Sage 300 whose OEOrders takes PATCH (sandbox feature oeOrderPatch)', () => {
  let sb: Sage300Sandbox;
  let client: Sage300Client;
  beforeAll(async () => {
    sb = await start({ seed: 22, features: { oeOrderPatch: true } });
    client = clientFor(sb);
  });
  afterAll(async () => sb?.close());

  it('the connection test records PATCH, and updateOrder and shipOrder go through', async () => {
    await sage300Connector.testConnection(client);
    expect(client.capabilities).toEqual({ oeOrderPatch: true });
    const o = await order(sb, client, 'CAP-P1');
    expect((await updateOrder.call(client, { orderUniquifier: o.OrderUniquifier, header: { OrderComment: 'gift' } })).OrderComment).toBe('gift');
    expect((await shipOrder.call(client, { orderUniquifier: o.OrderUniquifier, trackingNumber: 'T1' })).LastShipmentNumber).toMatch(/^SH/);
  });

  it('a capability declared in the configuration skips the probe', async () => {
    const declared = clientFor(sb, { capabilities: { oeOrderPatch: true } });
    const rec = sb.recordRequests();
    await sage300Connector.testConnection(declared);
    rec.stop();
    expect(rec.requests.some((r) => r.method === 'PATCH')).toBe(false);
  });
});
