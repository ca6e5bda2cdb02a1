// Fidelity: Sage's own sample payloads (Sage300-SDK WebApi_SamplePostPayloads, MIT) are accepted as
// the real Web API accepts them, and the sandbox answers the transport rules (content type, auth,
// error body) the way the real one does.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Sage300Sandbox } from './index.js';
import { describeWithSpecs, specsFolder } from '../shared/specs.testkit.js';

// Sage's samples are not in this repository: SYNCLINE_SPECS_DIR (default ../shared/specs) holds them.
const SAMPLES_FOLDER = specsFolder('sage300-samples');
const SAMPLES = SAMPLES_FOLDER.dir;
const auth = `Basic ${Buffer.from('WEBAPI:WEBAPI').toString('base64')}`;

async function samples(): Promise<Array<{ module: string; file: string; resource: string; body: string }>> {
  const out = [];
  for (const module of ['AR', 'GL', 'IC', 'OE']) {
    for (const file of (await readdir(path.join(SAMPLES, module))).filter((f) => f.endsWith('.txt')).sort()) {
      // "ARReceiptAndAdjustmentBatches_Prepayment.txt" posts to ARReceiptAndAdjustmentBatches.
      out.push({ module, file, resource: file.replace(/\.txt$/, '').replace(/_.*$/, ''), body: await readFile(path.join(SAMPLES, module, file), 'utf8') });
    }
  }
  return out;
}

async function call(sb: Sage300Sandbox, method: string, p: string, body?: string, headers: Record<string, string> = { authorization: auth, 'content-type': 'application/json' }) {
  const res = await fetch(`${sb.url}/Sage300WebApi/v1.0/-/SAMLTD/${p}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: res.headers };
}

describeWithSpecs('sage300-samples', 'Sage 300 sandbox: official sample payloads', async () => {
  const all = await samples();
  it('has every sample the SDK ships for OE, IC, AR and GL', () => {
    expect(all.length).toBe(35);
    expect(new Set(all.map((s) => s.module))).toEqual(new Set(['AR', 'GL', 'IC', 'OE']));
  });

  // Each sample on a fresh company, as each was written against an unchanged sample database.
  it.each(all.map((s) => [`${s.module}/${s.file}`, s] as const))('accepts %s', async (_name, s) => {
    const sb = await start({ seed: 1 });
    try {
      if (s.resource === 'ARShipToLocations') {
        const cust = all.find((x) => x.resource === 'ARCustomers')!;
        expect((await call(sb, 'POST', 'AR/ARCustomers', cust.body)).status).toBe(201);
      }
      const res = await call(sb, 'POST', `${s.module}/${s.resource}`, s.body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toBeTypeOf('object');
      // The created record is there on the next GET, at the address the Location header gives.
      const location = res.headers.get('location')!;
      const again = await fetch(location, { headers: { authorization: auth, 'content-type': 'application/json' } });
      expect(again.status).toBe(200);
      if (s.file === 'OEOrders_WithShipmentsandInvoice.txt') {
        expect(res.body).toMatchObject({ LastShipmentNumber: expect.stringMatching(/^SH/), LastInvoiceNumber: expect.stringMatching(/^IN/) });
        expect((res.body!.OrderDetails as Array<Record<string, unknown>>)[0]).toMatchObject({ QuantityShippedToDate: 20, QuantityCommitted: 0 });
      }
      if (s.file.startsWith('OEOrders')) expect(res.body).toMatchObject({ OrderUniquifier: expect.any(Number), OrderNumber: expect.stringMatching(/^ORD/) });
      if (s.file === 'ICItems.txt') expect(res.body).toMatchObject({ ItemNumber: 'ITEM51', UnformattedItemNumber: 'ITEM51' });
      if (s.file === 'GLJournalBatches.txt') expect(res.body).toMatchObject({ Debits: 50, Credits: 50, NumberOfEntries: 2 });
    } finally {
      await sb.close();
    }
  });
});

describe('Sage 300 sandbox: transport rules', () => {
  let sb: Sage300Sandbox;
  beforeAll(async () => {
    sb = await start({ seed: 1 });
  });
  afterAll(async () => sb?.close());

  it('answers 500 to a request without Content-Type: application/json, GET or POST', async () => {
    const get = await call(sb, 'GET', 'AR/ARCustomers', undefined, { authorization: auth });
    expect(get.status).toBe(500);
    expect(get.body).toEqual({ error: { code: 'InternalServerError', message: { lang: 'en-US', value: expect.any(String) } } });
    const post = await call(sb, 'POST', 'OE/OEOrders', JSON.stringify({ CustomerNumber: '1400' }), { authorization: auth, 'content-type': 'text/plain' });
    expect(post.status).toBe(500);
    expect(sb.backOffice.countOrders()).toBe(0);
  });

  it('needs Basic auth; the user name is case-insensitive, the password is not', async () => {
    expect((await call(sb, 'GET', 'AR/ARCustomers', undefined, { 'content-type': 'application/json' })).status).toBe(401);
    const lower = `Basic ${Buffer.from('webapi:WEBAPI').toString('base64')}`;
    expect((await call(sb, 'GET', "AR/ARCustomers('1200')", undefined, { authorization: lower, 'content-type': 'application/json' })).status).toBe(200);
    const wrong = await call(sb, 'GET', 'AR/ARCustomers', undefined, { authorization: `Basic ${Buffer.from('WEBAPI:webapi').toString('base64')}`, 'content-type': 'application/json' });
    expect(wrong.status).toBe(401);
    expect((wrong.body as { error: { code: string } }).error.code).toBe('Unauthorized');
    const other = await fetch(`${sb.url}/Sage300WebApi/v1.0/-/NOCO/AR/ARCustomers`, { headers: { authorization: auth, 'content-type': 'application/json' } });
    expect(other.status).toBe(401);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('SessionError');
  });

  it('rejects bad payloads with InvalidPayload: malformed JSON, unknown property, wrong type, not an object', async () => {
    const cases: Array<[string, string]> = [
      ['{"CustomerNumber": "1400",', 'not valid JSON'],
      [JSON.stringify({ CustomerNumber: '1400', Colour: 'red' }), "The property 'Colour' does not exist"],
      [JSON.stringify({ CustomerNumber: '1400', OrderDetails: [{ LineType: 'Item', Item: 'A1-105/0', QuantityOrdered: 'eight' }] }), "Path 'OrderDetails[0].QuantityOrdered'"],
      [JSON.stringify({ CustomerNumber: '1400', OnHold: 'maybe' }), "Path 'OnHold'"],
      [JSON.stringify({ CustomerNumber: '1400', OrderDate: '15/01/2020' }), "Path 'OrderDate'"],
      [JSON.stringify([{ CustomerNumber: '1400' }]), 'not a JSON object'],
      [JSON.stringify({ CustomerNumber: '1400', OrderDetails: { LineType: 'Item' } }), "Path 'OrderDetails'"],
      ['', 'empty'],
    ];
    for (const [body, message] of cases) {
      const res = await call(sb, 'POST', 'OE/OEOrders', body);
      expect([res.status, (res.body as { error: { code: string } }).error.code], body).toEqual([400, 'InvalidPayload']);
      expect((res.body as { error: { message: { value: string } } }).error.message.value).toContain(message);
    }
    expect(sb.backOffice.countOrders()).toBe(0);
  });

  it('rejects each business rule with the real code and leaves stock untouched', async () => {
    const before = sb.backOffice.stock('A1-105/0', '1');
    const line = { LineType: 'Item', Item: 'A1-105/0', Location: '1', QuantityOrdered: 2 };
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ CustomerNumber: '1400', OrderDetails: [line, { LineType: 'Item', Item: 'NOPE-1', QuantityOrdered: 1 }] }, 409, 'FieldInvalid'],
      [{ CustomerNumber: 'NOBODY', OrderDetails: [line] }, 409, 'FieldInvalid'],
      [{ CustomerNumber: '1400', ShipToAddressLine1: '1 Main', ShipToCity: 'Seattle', OrderDetails: [line] }, 409, 'General'],
      [{ CustomerNumber: '1400', OrderDate: '2005-06-01', OrderDetails: [line] }, 409, 'FieldInvalid'],
      [{ CustomerNumber: '1400', OrderOptionalFields: [{ OptionalField: 'NOSUCH', Value: '1' }], OrderDetails: [line] }, 409, 'FieldInvalid'],
      [{ CustomerNumber: '1400', OrderDetails: [{ LineType: 'Miscellaneous', MiscellaneousChargesCode: 'ZZ', ExtendedAmount: 1 }] }, 409, 'FieldInvalid'],
      [{ CustomerNumber: '1400', OrderDetails: [{ ...line, Location: '99' }] }, 409, 'FieldInvalid'],
      [{ CustomerNumber: '1400', OrderDetails: [{ ...line, QuantityShipped: 3 }] }, 409, 'FieldInvalid'],
      [{ CustomerNumber: '1400', ShipViaCode: 'NOSUCH', OrderDetails: [line] }, 409, 'FieldInvalid'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call(sb, 'POST', 'OE/OEOrders', JSON.stringify(body));
      expect([res.status, (res.body as { error: { code: string } }).error.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect(sb.backOffice.stock('A1-105/0', '1')).toEqual(before);
    expect(sb.backOffice.countOrders()).toBe(0);
  });

  it('checks duplicate POs per customer setting and duplicate order numbers', async () => {
    const order = (extra: Record<string, unknown>) => JSON.stringify({ CustomerNumber: 'C00001', OrderDetails: [{ LineType: 'Item', Item: 'A1-105/0', QuantityOrdered: 1 }], ...extra });
    expect((await call(sb, 'POST', 'OE/OEOrders', order({ PurchaseOrderNumber: 'PO-9' }))).status).toBe(201);
    const dup = await call(sb, 'POST', 'OE/OEOrders', order({ PurchaseOrderNumber: 'PO-9' }));
    expect([dup.status, (dup.body as { error: { code: string } }).error.code]).toEqual([409, 'RecordDuplicate']);
    // Customer 1400 has CheckForDuplicatePOs = None: the same PO is accepted again.
    const none = (po: string) => JSON.stringify({ CustomerNumber: '1400', PurchaseOrderNumber: po, OrderDetails: [{ LineType: 'Item', Item: 'A1-105/0', QuantityOrdered: 1 }] });
    expect((await call(sb, 'POST', 'OE/OEOrders', none('PO-9'))).status).toBe(201);
    expect((await call(sb, 'POST', 'OE/OEOrders', none('PO-9'))).status).toBe(201);
    expect((await call(sb, 'POST', 'OE/OEOrders', order({ OrderNumber: 'MANUAL-1' }))).status).toBe(201);
    const dupNo = await call(sb, 'POST', 'OE/OEOrders', order({ OrderNumber: 'MANUAL-1' }));
    expect((dupNo.body as { error: { code: string } }).error.code).toBe('RecordDuplicate');
    const dupCustomer = await call(sb, 'POST', 'AR/ARCustomers', JSON.stringify({ CustomerNumber: '1200', ShortName: 'x', GroupCode: 'WHL' }));
    expect([dupCustomer.status, (dupCustomer.body as { error: { code: string } }).error.code]).toEqual([409, 'RecordDuplicate']);
  });

  it('refuses to delete a customer with orders or an item with stock, and to re-key an item', async () => {
    expect((await call(sb, 'POST', 'OE/OEOrders', JSON.stringify({ CustomerNumber: 'C00004', OrderDetails: [{ LineType: 'Item', Item: 'A1-105/0', QuantityOrdered: 1 }] }))).status).toBe(201);
    const cust = await call(sb, 'DELETE', "AR/ARCustomers('C00004')");
    expect([cust.status, (cust.body as { error: { code: string } }).error.code]).toEqual([409, 'General']);
    const item = await call(sb, 'DELETE', "IC/ICItems('A11050')");
    expect([item.status, (item.body as { error: { code: string } }).error.code]).toEqual([409, 'General']);
    const rekey = await call(sb, 'PATCH', "IC/ICItems('A11050')", JSON.stringify({ ItemNumber: 'A1-999/9' }));
    expect([rekey.status, (rekey.body as { error: { code: string } }).error.code]).toEqual([409, 'FieldInvalid']);
    const renamed = await call(sb, 'PATCH', "IC/ICItems('A11050')", JSON.stringify({ Description: 'Desk lamp, fluorescent' }));
    expect(renamed.body).toMatchObject({ ItemNumber: 'A1-105/0', Description: 'Desk lamp, fluorescent' });
    // A customer without transactions can go.
    expect((await call(sb, 'DELETE', "AR/ARCustomers('C00099')")).status).toBe(204);
    expect((await call(sb, 'GET', "AR/ARCustomers('C00099')")).status).toBe(404);
  });

  it('answers a record in use with 409 General when the lock fault fires', async () => {
    await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ route: 'PATCH *', custom: { lock: 1 } }] }) });
    try {
      const res = await call(sb, 'PATCH', "AR/ARCustomers('1200')", JSON.stringify({ ShortName: 'Black' }));
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([409, 'General']);
      expect(sb.faultsInjected().lock).toBeGreaterThan(0);
    } finally {
      await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [] }) });
    }
    expect((await call(sb, 'PATCH', "AR/ARCustomers('1200')", JSON.stringify({ ShortName: 'Black' }))).status).toBe(200);
  });

  it('renders injected 5xx and 429 in Sage\'s error body, with Retry-After', async () => {
    await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ route: 'GET /Sage300WebApi', rate429: 1, retryAfterS: 2 }] }) });
    try {
      const res = await call(sb, 'GET', 'AR/ARCustomers');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(res.body).toMatchObject({ error: { code: 'TooManyRequests' } });
    } finally {
      await fetch(`${sb.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [] }) });
    }
  });

  it.skipIf(!SAMPLES_FOLDER.present)("posts batches through ('$process'): only batches ready to post, as the SDK's ARPostInvoices example sends", async () => {
    const sample = await readFile(path.join(SAMPLES, 'AR', 'ARInvoiceBatches.txt'), 'utf8');
    const created = await call(sb, 'POST', 'AR/ARInvoiceBatches', sample);
    const n = created.body!.BatchNumber as number;
    const none = await call(sb, 'POST', "AR/ARPostInvoices('$process')", JSON.stringify({ PostAllBatches: 'Postallbatches' }));
    expect([none.status, none.body!.NumberOfBatchesPosted]).toEqual([200, 0]);
    expect((await call(sb, 'PATCH', `AR/ARInvoiceBatches(${n})`, JSON.stringify({ BatchStatus: 'ReadyToPost' }))).status).toBe(200);
    const posted = await call(sb, 'POST', "AR/ARPostInvoices('$process')", JSON.stringify({ PostAllBatches: 'Postallbatches' }));
    expect(posted.body!.NumberOfBatchesPosted).toBe(1);
    expect((await call(sb, 'GET', `AR/ARInvoiceBatches(${n})`)).body!.BatchStatus).toBe('Posted');
    const unknown = await call(sb, 'POST', "AR/ARNoSuchProcess('$process')", '{}');
    expect([unknown.status, (unknown.body as { error: { code: string } }).error.code]).toEqual([404, 'ResourceNotFound']);
    const get = await call(sb, 'GET', "GL/GLPostJournal('$process')");
    expect(get.status).toBe(405);
  });

  it('serves $metadata as EDMX with the models and their keys', async () => {
    const res = await fetch(`${sb.url}/Sage300WebApi/v1.0/-/SAMLTD/OE/$metadata`, { headers: { authorization: auth, 'content-type': 'application/json' } });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain('Namespace="Sage.CA.SBS.ERP.Sage300.OE.WebApi.Models"');
    expect(xml).toContain('<EntitySet Name="OEOrders"');
    expect(xml).toContain('<PropertyRef Name="OrderUniquifier"/>');
  });
});

// Issue 16: where the public record says the real Web API answers differently. Each default is the
// 2022 Endpoint Reference / Developer Reference (SageNADev/Sage300-SDK docs/webapi); see
// docs/connectors/sage300.md "Fidelity".
describe('Sage 300 sandbox: what the Endpoint Reference says, by default', () => {
  let sb: Sage300Sandbox;
  beforeAll(async () => {
    sb = await start({ seed: 1 });
  });
  afterAll(async () => sb?.close());

  const newOrder = async () => {
    const item = sb.company.items.table.rows().find((r) => r.StockItem)!;
    const res = await call(sb, 'POST', 'OE/OEOrders', JSON.stringify({ CustomerNumber: sb.company.customers.table.rows()[0]!.CustomerNumber, OrderDetails: [{ LineType: 'Item', Item: item.ItemNumber, Location: '1', QuantityOrdered: 1 }] }));
    expect(res.status).toBe(201);
    return res.body!.OrderUniquifier as number;
  };

  it('OE/OEOrders takes GET and POST only: PUT, PATCH and DELETE get 405 MethodNotAllowed with Allow', async () => {
    const id = await newOrder();
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await call(sb, method, `OE/OEOrders(${id})`, method === 'DELETE' ? undefined : JSON.stringify({ OrderComment: 'x' }));
      expect([method, res.status]).toEqual([method, 405]);
      expect(res.body).toEqual({ error: { code: 'MethodNotAllowed', message: { lang: 'en-US', value: `The requested resource does not support http method '${method}'.` } } });
      expect(res.headers.get('allow')).toBe('GET, POST');
    }
    expect((await call(sb, 'GET', `OE/OEOrders(${id})`)).body!.OrderComment).not.toBe('x');
  });

  it('a newer release (feature oeOrderPatch) takes PATCH on OE orders, still not PUT or DELETE', async () => {
    const id = await newOrder();
    sb.features.set({ oeOrderPatch: true });
    try {
      const res = await call(sb, 'PATCH', `OE/OEOrders(${id})`, JSON.stringify({ OrderComment: 'patched' }));
      expect([res.status, res.body!.OrderComment]).toEqual([200, 'patched']);
      expect((await call(sb, 'PUT', `OE/OEOrders(${id})`, '{}')).headers.get('allow')).toBe('GET, POST, PATCH');
      // The probe the connector sends: a key that cannot exist answers 404 where PATCH is taken.
      expect((await call(sb, 'PATCH', 'OE/OEOrders(0)', '{}')).body).toMatchObject({ error: { code: 'RecordNotFound' } });
    } finally {
      sb.features.set({});
    }
    expect((await call(sb, 'PATCH', 'OE/OEOrders(0)', '{}')).status).toBe(405);
  });

  it("a POST to a key other than '$template' / '$process' is InvalidAction", async () => {
    const id = await newOrder();
    const res = await call(sb, 'POST', `OE/OEOrders(${id})`, '{}');
    expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([400, 'InvalidAction']);
    const customer = await call(sb, 'POST', "AR/ARCustomers('1200')", '{}');
    expect((customer.body as { error: { code: string } }).error.code).toBe('InvalidAction');
  });

  it("takes $process quoted (as Sage's samples write it) and unquoted (as the Endpoint Reference does)", async () => {
    for (const key of ["('$process')", '($process)']) {
      const res = await call(sb, 'POST', `IC/ICDayEndProcessing${key}`, JSON.stringify({ ClearHistory: false }));
      expect([key, res.status]).toEqual([key, 200]);
    }
    expect((await call(sb, 'GET', 'OE/OEOrders($template)')).status).toBe(200);
  });

  it('answers $count=true as the Developer Reference prints it: "odata.count":"N" (a string, no @); v4 form on request', async () => {
    const doc = await call(sb, 'GET', 'AR/ARCustomers?$count=true&$top=1');
    expect(doc.body!['odata.count']).toBe(String(sb.company.customers.table.size));
    expect(doc.body!['@odata.count']).toBeUndefined();
    sb.features.set({ countFormat: 'v4' });
    try {
      expect((await call(sb, 'GET', 'AR/ARCustomers?$count=true&$top=1')).body!['@odata.count']).toBe(sb.company.customers.table.size);
    } finally {
      sb.features.set({});
    }
  });

  it('labels the stock and OE shipment resources as extensions, and can switch them off like a real server', async () => {
    const stock = await call(sb, 'GET', 'IC/ICLocationDetails?$top=1');
    expect(stock.status).toBe(200);
    expect(stock.headers.get('x-sandbox-extension')).toMatch(/^IC\/ICLocationDetails: not in the Sage 300 Web API/);
    const meta = await (await fetch(`${sb.url}/Sage300WebApi/v1.0/-/SAMLTD/IC/$metadata`, { headers: { authorization: auth, 'content-type': 'application/json' } })).text();
    expect(meta).toMatch(/<EntitySet Name="ICLocationDetails"[^>]*><Annotation Term="Org.OData.Core.V1.Description" String="EXTENSION/);
    expect(meta).not.toMatch(/<EntitySet Name="ICItems"[^>]*><Annotation/);
    sb.features.set({ extensions: { stock: false, shipments: false } });
    try {
      expect((await call(sb, 'GET', 'IC/ICLocationDetails')).body).toMatchObject({ error: { code: 'ResourceNotFound' } });
      expect((await call(sb, 'GET', 'OE/OEShipments')).status).toBe(404);
    } finally {
      sb.features.set({});
    }
  });

  it('takes its features at run time over HTTP (PUT /__sandbox/features) and refuses unknown ones', async () => {
    const put = (body: unknown) => fetch(`${sb.url}/__sandbox/features`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ oeOrderPatch: true })).status).toBe(200);
    expect(sb.features.current.oeOrderPatch).toBe(true);
    const bad = await put({ oeOrderPut: true });
    expect(bad.status).toBe(400);
    expect((await put({})).status).toBe(200);
    expect(sb.features.current).toEqual({ oeOrderPatch: false, countFormat: 'documented', extensions: { stock: true, shipments: true } });
  });
});
