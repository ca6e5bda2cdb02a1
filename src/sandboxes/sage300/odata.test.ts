// The OData reading surface: $filter grammar, $select/$top/$skip/$count, server paging with
// @odata.nextLink, key addressing, and the errors for malformed queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SageApiError } from './errors.js';
import { compileFilter, type FieldType } from './odata.js';
import { start, type Sage300Sandbox } from './index.js';

const fields = new Map<string, FieldType>([['Name', 'string'], ['Qty', 'number'], ['Active', 'boolean'], ['When', 'date'], ['Lines', 'collection']]);
const rows = [
  { Name: "O'Neil", Qty: 5, Active: true, When: '2020-01-15T00:00:00Z' },
  { Name: 'Smith', Qty: 12.5, Active: false, When: '2023-06-01T12:30:00Z' },
  { Name: 'Smithers', Qty: 0, Active: true, When: null },
];
const names = (f: string) => rows.filter(compileFilter(f, fields, 'T')).map((r) => r.Name);
const code = (f: string) => {
  try {
    compileFilter(f, fields, 'T');
  } catch (e) {
    return (e as SageApiError).code;
  }
  return 'ok';
};

describe('$filter grammar', () => {
  it('compares with eq ne gt ge lt le, combines with and/or/not and parentheses', () => {
    expect(names("Name eq 'Smith'")).toEqual(['Smith']);
    expect(names("Name ne 'Smith'")).toEqual(["O'Neil", 'Smithers']);
    expect(names('Qty gt 5')).toEqual(['Smith']);
    expect(names('Qty ge 5')).toEqual(["O'Neil", 'Smith']);
    expect(names('Qty lt 5')).toEqual(['Smithers']);
    expect(names('Qty le 12.5m')).toEqual(["O'Neil", 'Smith', 'Smithers']);
    expect(names("Qty gt 1 and Name ne 'Smith' or Qty eq 0")).toEqual(["O'Neil", 'Smithers']);
    expect(names("Qty gt 1 and (Name ne 'Smith' or Qty eq 0)")).toEqual(["O'Neil"]);
    expect(names("not (Name eq 'Smith')")).toEqual(["O'Neil", 'Smithers']);
    expect(names('Active eq true')).toEqual(["O'Neil", 'Smithers']);
    expect(names('When eq null')).toEqual(['Smithers']);
  });

  it('knows substringof, startswith, endswith, length, and quotes escaped by doubling', () => {
    expect(names("substringof('mith', Name)")).toEqual(['Smith', 'Smithers']);
    expect(names("startswith(Name,'Smith') and not endswith(Name,'ers')")).toEqual(['Smith']);
    expect(names('length(Name) eq 8')).toEqual(['Smithers']);
    expect(names("Name eq 'O''Neil'")).toEqual(["O'Neil"]);
  });

  it("reads datetime'…' literals and bare v4 dates", () => {
    expect(names("When ge datetime'2020-01-15T00:00'")).toEqual(["O'Neil", 'Smith']);
    expect(names("When gt datetime'2020-01-15T00:00:00'")).toEqual(['Smith']);
    expect(names('When gt 2016-12-31T12:00:00Z')).toEqual(["O'Neil", 'Smith']);
    expect(names('When ge 2023-01-01')).toEqual(['Smith']);
    expect(names("When lt '2021-01-01'")).toEqual(["O'Neil"]);
  });

  it('rejects malformed filters with InvalidParameters', () => {
    for (const bad of ["Name eq 'x", 'Name eq', 'eq 5', "Name eq 'a' and", '(Qty gt 1', 'Qty gt 1)', 'Nope eq 1', "foo(Name) eq 'x'", "Name eq 5", "Qty eq 'five'", "When ge datetime'yesterday'", 'Lines eq 1', 'Qty', "Name eq 'a' Qty eq 1", '', 'Qty gt 1 && Qty lt 3', "startswith(Name)"]) {
      expect(code(bad), bad).toBe('InvalidParameters');
    }
    // Hostile nesting is refused with the same error, not a stack overflow.
    expect(code(`${'('.repeat(5_000)}Qty gt 1${')'.repeat(5_000)}`)).toBe('InvalidParameters');
    expect(code(`${'not '.repeat(5_000)}Active`)).toBe('InvalidParameters');
    expect(names(`${'('.repeat(20)}Qty gt 10${')'.repeat(20)}`)).toEqual(['Smith']);
  });
});

describe('Sage 300 sandbox: OData over HTTP', () => {
  let sb: Sage300Sandbox;
  const headers = { authorization: `Basic ${Buffer.from('WEBAPI:WEBAPI').toString('base64')}`, 'content-type': 'application/json' };
  const get = async (p: string) => {
    const res = await fetch(p.startsWith('http') ? p : `${sb.url}/Sage300WebApi/v1.0/-/SAMLTD/${p}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { value?: Array<Record<string, unknown>>; error?: { code: string } } };
  };

  beforeAll(async () => {
    sb = await start({ seed: 3 });
    // Enough orders for paging well past 1,000 records.
    for (let i = 0; i < 1_234; i++) sb.company.orders.create({ CustomerNumber: i % 2 ? 'C00001' : 'C00002', PurchaseOrderNumber: `PO-${i}`, OrderReference: `ref ${i % 10}`, OrderDetails: [{ LineType: 'Item', Item: 'A1-105/0', QuantityOrdered: 1 }] });
  });
  afterAll(async () => sb?.close());

  it('pages 100 at a time with @odata.nextLink until every record was returned once', async () => {
    let link: string | undefined = 'OE/OEOrders?$select=OrderUniquifier,PurchaseOrderNumber';
    const seen: number[] = [];
    let pages = 0;
    while (link) {
      const res = await get(link);
      expect(res.status).toBe(200);
      expect(res.body.value!.length).toBeLessThanOrEqual(100);
      seen.push(...res.body.value!.map((o) => o.OrderUniquifier as number));
      link = res.body['@odata.nextLink'] as string | undefined;
      pages++;
    }
    expect(pages).toBe(13);
    expect(seen.length).toBe(1_234);
    expect(new Set(seen).size).toBe(1_234);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('honours $top over several pages, $skip, $count and $select; keeps $filter in nextLink', async () => {
    const first = await get("OE/OEOrders?$filter=CustomerNumber eq 'C00001'&$top=250&$count=true&$select=OrderNumber,CustomerNumber");
    // As the Developer Reference prints it: "odata.count":"625" (a string, no @).
    expect(first.body['odata.count']).toBe('617');
    expect(first.body['@odata.count']).toBeUndefined();
    expect(first.body.value).toHaveLength(100);
    expect(Object.keys(first.body.value![0]!)).toEqual(['OrderNumber', 'CustomerNumber']);
    const nextLink = first.body['@odata.nextLink'] as string;
    expect(decodeURIComponent(nextLink)).toContain("$filter=CustomerNumber eq 'C00001'");
    expect(nextLink).toContain('$top=150');
    const second = await get(nextLink);
    const third = await get(second.body['@odata.nextLink'] as string);
    expect(third.body.value).toHaveLength(50);
    expect(third.body['@odata.nextLink']).toBeUndefined();
    const skipped = await get("OE/OEOrders?$filter=PurchaseOrderNumber eq 'PO-7' or PurchaseOrderNumber eq 'PO-8'&$skip=1");
    expect(skipped.body.value!.map((o) => o.PurchaseOrderNumber)).toEqual(['PO-8']);
    const byRef = await get("OE/OEOrders?$filter=OrderReference eq 'ref 3' and CustomerNumber eq 'C00001'&$count=true&$top=0");
    expect([byRef.body['odata.count'], byRef.body.value!.length]).toEqual(['124', 0]);
  });

  it('rejects bad query options and oversize or negative page requests', async () => {
    for (const q of ['$top=-1', '$top=abc', '$skip=1.5', '$count=yes', '$select=Nope', '$filter=Nope eq 1', "$filter=OrderNumber eq 'x'&$filter=OrderNumber eq 'y'", '$orderby=OrderNumber', '$foo=1', '$top=99999999999999999999']) {
      const res = await get(`OE/OEOrders?${q}`);
      expect([res.status, res.body.error?.code], q).toEqual([400, 'InvalidParameters']);
    }
    // A $top beyond the page size is served page by page, never as one oversize page.
    const big = await get('IC/ICItems?$top=100000');
    expect(big.body.value).toHaveLength(100);
    expect(big.body['@odata.nextLink']).toContain('$top=99900');
  });

  it("addresses records by ('K'), (Field='K') and composite keys; errors for bad keys and methods", async () => {
    expect((await get("AR/ARCustomers('C00001')")).body.CustomerNumber).toBe('C00001');
    expect((await get("AR/ARCustomers(CustomerNumber='C00001')")).body.CustomerNumber).toBe('C00001');
    expect((await get('OE/OEOrders(10001)')).body.OrderUniquifier).toBe(10001);
    expect((await get("AR/ARShipToLocations(CustomerNumber='C00001',ShipToLocationKey='WORK')")).body.ShipToLocationKey).toBe('WORK');
    expect((await get("IC/ICItems('A11050')")).body.ItemNumber).toBe('A1-105/0');
    const missing = await get("AR/ARCustomers('NOBODY')");
    expect([missing.status, missing.body.error?.code]).toEqual([404, 'RecordNotFound']);
    for (const key of ["AR/ARCustomers(Nope='1')", "AR/ARCustomers('a','b')", "AR/ARShipToLocations('C00001')", "AR/ARCustomers('open)"]) {
      const res = await get(key);
      expect([res.status, res.body.error?.code], key).toEqual([400, 'InvalidEntityKey']);
    }
    const unknown = await get('AR/ARNothing');
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'ResourceNotFound']);
    const put = await fetch(`${sb.url}/Sage300WebApi/v1.0/-/SAMLTD/OE/OEInvoices`, { method: 'POST', headers, body: '{}' });
    expect(put.status).toBe(405);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('MethodNotAllowed');
  });

  it("returns a model's defaults from ('$template')", async () => {
    const t = await get("OE/OEOrders('$template')");
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ OrderType: 'Active', OrderDetails: [], InvoiceWillBeProduced: false });
  });
});
