// The connector against the X3 sandbox over loopback HTTP: save → read → modify → query for every
// object, in XML and JSON, and the errors X3 answers with status 0 turned into classified errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynclineError } from '../../core/errors.js';
import { start, type SageX3Sandbox } from '../../sandboxes/sagex3/index.js';
import { SageX3Client, type SageX3Config } from './client.js';
import { createSalesOrderOnce, findSalesOrderByReference, sagex3Connector } from './index.js';
import { deleteRecord } from './operations/delete.js';
import { getDescription } from './operations/get-description.js';
import { available, getStock } from './operations/get-stock.js';
import { modify } from './operations/modify.js';
import { query } from './operations/query.js';
import { read } from './operations/read.js';
import { save } from './operations/save.js';
import { asCustomer, asInvoice, asItem, asJournalEntry, asSalesOrder } from './views.js';
import { failure } from '../../../test/support/failure.js';

let sb: SageX3Sandbox;
let n = 0;
const clientFor = (over: Partial<SageX3Config> = {}) =>
  new SageX3Client(
    {
      baseUrl: sb.url,
      auth: { type: 'basic', user: String(sb.credentials.user), password: String(sb.credentials.password) },
      poolAlias: String(sb.credentials.poolAlias),
      ...over,
    },
    { connection: `x3-test-${++n}`, breaker: false },
  );


let item1: string;
let item2: string;

beforeAll(async () => {
  sb = await start({ seed: 7 });
  const items = [...sb.state.stores.ITM.keys()];
  item1 = items[0]!;
  item2 = items[1]!;
});
afterAll(async () => {
  await sb.close();
});

describe.each(['XML', 'JSON'] as const)('round trips with %s payloads', (format) => {
  const c = () => clientFor({ payloadFormat: format, returnFormat: format });

  it('SOH: save numbers the order by sequence, read, modify a line and add one, query by CUSORDREF', async () => {
    const client = c();
    const ref = `AMZ-${format}-114-0001`;
    const saved = await save.call(client, {
      object: 'SOH',
      data: { SALFCY: 'US011', BPCORD: 'C00003', CUSORDREF: ref, ORDDAT: '20261101', lines: [{ ITMREF: item1, QTY: '2', GROPRI: '19.99' }, { ITMREF: item2, QTY: '1', GROPRI: '5.10', DISCRGVAL1: '10' }] },
    });
    expect(saved.SOHNUM).toMatch(/^US0112026SON\d{6}$/);
    expect(saved.ORDSTA).toBe('1');
    expect(saved.DLVSTA).toBe('1');
    expect(saved.INVSTA).toBe('1');
    expect(saved.lines).toHaveLength(2);
    expect(saved.lines![1]!.NETPRI).toBe('4.59');
    expect(saved.ORDINVNOT).toBe('44.57'); // 2 × 19.99 + 4.59

    const back = await read.call(client, { object: 'SOH', key: String(saved.SOHNUM) });
    expect(back.CUSORDREF).toBe(ref);
    expect(back.BPCORD).toBe('C00003');
    expect(back.lines!.map((l) => l.ITMREF)).toEqual([item1, item2]);

    const changed = await modify.call(client, { object: 'SOH', key: String(saved.SOHNUM), data: { DEMDLVDAT: '20261110', lines: [{ line: 1, QTY: '3' }, { ITMREF: item2, QTY: '4', GROPRI: '1.00' }] } });
    expect(changed.DEMDLVDAT).toBe('20261110');
    expect(changed.lines).toHaveLength(3);
    expect(changed.lines![0]!.QTY).toBe('3');
    expect(changed.ORDINVNOT).toBe('68.56'); // 3 × 19.99 + 4.59 + 4 × 1.00

    const rows = await query.call(client, { object: 'SOH', criteria: { CUSORDREF: ref } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.SOHNUM).toBe(saved.SOHNUM);
    expect(rows[0]!.ORDINVNOT).toBe('68.56');
  });

  it('SOH: invoicing elements (SOH3_5) travel as LST, come back on read and count in ORDINVNOT; modify replaces them', async () => {
    const client = c();
    const saved = await save.call(client, {
      object: 'SOH',
      data: { SALFCY: 'US011', BPCORD: 'C00003', CUSORDREF: `AMZ-${format}-114-0002`, INVDTA: ['1', '2'], INVDTAAMT: ['4.99', '-2.00'], lines: [{ ITMREF: item1, QTY: '2', GROPRI: '19.99' }] },
    });
    expect(saved.ORDINVNOT).toBe('42.97'); // 2 × 19.99 + 4.99 − 2.00
    const back = await read.call(client, { object: 'SOH', key: String(saved.SOHNUM) });
    expect(back.INVDTA).toEqual(['1', '2']);
    expect(back.INVDTAAMT).toEqual(['4.99', '-2']);
    expect(back.ORDINVNOT).toBe('42.97');

    const changed = await modify.call(client, { object: 'SOH', key: String(saved.SOHNUM), data: { INVDTA: ['1'], INVDTAAMT: ['9.99'] } });
    expect([changed.INVDTA, changed.INVDTAAMT, changed.ORDINVNOT]).toEqual([['1'], ['9.99'], '49.97']);

    const unknown = await failure(save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00003', INVDTA: ['9'], INVDTAAMT: ['1.00'], lines: [{ ITMREF: item1, QTY: '1' }] } }));
    expect(unknown.message).toMatch(/INVDTA\(1\) 9 : Record does not exist/);
  });

  it('ITM: save, read, modify, query, delete', async () => {
    const client = c();
    const ref = `Z9-${format}-NEW`;
    const saved = await save.call(client, { object: 'ITM', data: { ITMREF: ref, DES1AXX: 'Test lantern', TCLCOD: 'C3', BASPRI: '24.50', VACITM: ['NOR'] } });
    expect(saved.ITMSTA).toBe('1');
    expect(saved.VACITM).toEqual(['NOR']);
    const changed = await modify.call(client, { object: 'ITM', key: ref, data: { BASPRI: '26.00', DES2AXX: 'Camping' } });
    expect(changed.BASPRI).toBe('26.00');
    expect((await read.call(client, { object: 'ITM', key: ref })).DES2AXX).toBe('Camping');
    const rows = await query.call(client, { object: 'ITM', criteria: { ITMREF: ref } });
    expect(rows.map((r) => r.BASPRI)).toEqual(['26.00']);
    await deleteRecord.call(client, { object: 'ITM', key: ref });
    expect((await failure(read.call(client, { object: 'ITM', key: ref }))).code).toBe('X3_NOT_FOUND');
  });

  it('BPC: save with addresses (numbered by sequence), read, modify an address and add one, query', async () => {
    const client = c();
    const saved = await save.call(client, {
      object: 'BPC',
      data: { BPCNAM: `Amazon buyer ${format}`, BCGCOD: 'MKT', CRY: 'US', addresses: [{ CODADR: 'SHIP', BPACRY: 'US', ADDLIG1: '1 Pine Lane', POSCOD: '97205', CTY: 'Portland', SAT: 'OR' }] },
    });
    const num = String(saved.BPCNUM);
    expect(num).toMatch(/^C\d{5}$/);
    expect(saved.addresses![0]!.BPAADDFLG).toBe('2');
    expect(saved.CUR).toBe('USD');
    const changed = await modify.call(client, { object: 'BPC', key: num, data: { addresses: [{ CODADR: 'SHIP', ADDLIG1: '2 Pine Lane' }, { CODADR: 'BILL', BPACRY: 'CA', CTY: 'Toronto' }] } });
    expect(changed.addresses!.map((a) => [a.CODADR, a.ADDLIG1 ?? ''])).toEqual([['SHIP', '2 Pine Lane'], ['BILL', '']]);
    expect((await read.call(client, { object: 'BPC', key: num })).addresses).toHaveLength(2);
    expect((await query.call(client, { object: 'BPC', criteria: { BPCNUM: num } }))[0]!.BPCNAM).toBe(`Amazon buyer ${format}`);
  });

  it('SIH: invoice and credit note, read, modify, query; duplicate reference refused', async () => {
    const client = c();
    const inv = await save.call(client, { object: 'SIH', data: { SALFCY: 'US011', SIVTYP: 'INV', BPCINV: 'C00010', INVREF: `SETTLE-${format}`, lines: [{ ITMREF: item1, QTY: '2', GROPRI: '10.00' }] } });
    expect(inv.NUM).toMatch(/^INVUS011/);
    expect(inv.INVNOT).toBe('20.00');
    const crn = await save.call(client, { object: 'SIH', data: { SALFCY: 'US011', SIVTYP: 'CRN', BPCINV: 'C00010', SIHORINUM: String(inv.NUM), lines: [{ ITMREF: item1, QTY: '1', GROPRI: '10.00' }] } });
    expect(crn.SIVTYP).toBe('CRN');
    expect(crn.INVNOT).toBe('10.00');
    if (format === 'XML') {
      const changed = await modify.call(client, { object: 'SIH', key: String(inv.NUM), data: { lines: [{ line: 1, QTY: '3' }] } });
      expect(changed.INVNOT).toBe('30.00');
    } else {
      const e = await failure(modify.call(client, { object: 'SIH', key: String(inv.NUM), data: { lines: [{ line: 1, QTY: '3' }] } }));
      expect(e.code).toBe('X3_INPUT_INVALID');
      const changed = await modify.call(client, { object: 'SIH', key: String(inv.NUM), data: { INVDAT: '20261120', lines: [{ ITMREF: item2, QTY: '1', GROPRI: '10.00' }] } });
      expect([changed.INVDAT, changed.INVNOT]).toEqual(['20261120', '30.00']);
    }
    expect((await read.call(client, { object: 'SIH', key: String(crn.NUM) })).SIHORINUM).toBe(inv.NUM);
    const rows = await query.call(client, { object: 'SIH', criteria: { BPCINV: 'C00010', SIVTYP: 'INV' } });
    expect(rows.map((r) => r.NUM)).toContain(inv.NUM);
    const dup = await failure(save.call(client, { object: 'SIH', data: { SALFCY: 'US011', SIVTYP: 'INV', BPCINV: 'C00010', INVREF: `SETTLE-${format}`, lines: [{ ITMREF: item1, QTY: '1' }] } }));
    expect(dup.code).toBe('X3_DUPLICATE');
    expect(dup.kind).toBe('user');
  });

  it('GACCENTRY: balanced entry save, read (composite key), modify, query; unbalanced and unknown account refused', async () => {
    const client = c();
    const saved = await save.call(client, {
      object: 'GAS',
      data: {
        TYP: 'ODP', FCY: 'US011', JOU: 'OD', ACCDAT: '20261115', REF: `STL-${format}`, DES: 'Amazon settlement',
        lines: [
          { ACC: '512100', SNS: 1, AMTCUR: '95.30' },
          { ACC: '622200', SNS: 1, AMTCUR: '4.70' },
          { ACC: '707000', SNS: -1, AMTCUR: '100.00' },
        ],
      },
    });
    expect(saved.TOTDEB).toBe('100.00');
    expect(saved.TOTCDT).toBe('100.00');
    const key = { TYP: 'ODP', NUM: String(saved.NUM) };
    const back = await read.call(client, { object: 'GAS', key });
    expect(back.lines!.map((l) => [l.ACC, l.SNS, l.AMTCUR])).toEqual([['512100', '1', '95.30'], ['622200', '1', '4.70'], ['707000', '-1', '100.00']]);
    const changed = await modify.call(client, { object: 'GAS', key, data: { DES: 'Settlement 123', lines: [{ line: 1, AMTCUR: '90.30' }, { ACC: '627000', SNS: 1, AMTCUR: '5.00' }] } });
    expect(changed.DES).toBe('Settlement 123');
    expect(changed.lines).toHaveLength(4);
    expect((await query.call(client, { object: 'GAS', criteria: { REF: `STL-${format}` } })).map((r) => r.NUM)).toEqual([saved.NUM]);

    const unbalanced = await failure(modify.call(client, { object: 'GAS', key, data: { lines: [{ line: 1, AMTCUR: '1.00' }] } }));
    expect(unbalanced.code).toBe('X3_INVALID');
    expect(JSON.stringify(unbalanced.details.messages)).toMatch(/not balanced/);
    // ACCCOD (an accounting code) is not a GL account: X3 does not know it in the chart of accounts.
    const notAnAccount = await failure(save.call(client, { object: 'GAS', data: { TYP: 'ODP', FCY: 'US011', JOU: 'OD', lines: [{ ACC: 'FINPRODUCT', SNS: 1, AMTCUR: '1.00' }, { ACC: '707000', SNS: -1, AMTCUR: '1.00' }] } }));
    expect(notAnAccount.code).toBe('X3_NOT_FOUND');
    const collective = await failure(save.call(client, { object: 'GAS', data: { TYP: 'ODP', FCY: 'US011', JOU: 'OD', lines: [{ ACC: '411000', SNS: 1, AMTCUR: '1.00' }, { ACC: '707000', SNS: -1, AMTCUR: '1.00' }] } }));
    expect(collective.code).toBe('X3_INVALID');
    expect(collective.message).toMatch(/BPR/);
  });
});

describe('errors from X3 become classified errors', () => {
  it('unknown item and unknown customer → X3_NOT_FOUND (user), with X3 message in details', async () => {
    const client = clientFor();
    const e1 = await failure(save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', lines: [{ ITMREF: 'NOPE-0000-XXX', QTY: '1' }] } }));
    expect([e1.code, e1.kind]).toEqual(['X3_NOT_FOUND', 'user']);
    expect(e1.message).toMatch(/NOPE-0000-XXX/);
    const e2 = await failure(save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C99999', lines: [{ ITMREF: item1, QTY: '1' }] } }));
    expect([e2.code, e2.kind]).toEqual(['X3_NOT_FOUND', 'user']);
    expect((e2.details.messages as Array<{ type: string }>)[0]!.type).toBe('3');
  });

  it('invalid values → X3_INVALID (user); duplicate key → X3_DUPLICATE', async () => {
    const client = clientFor();
    // An item status outside local menu 246 passes our schema only through `extra`; X3 refuses it.
    const bad = await failure(save.call(client, { object: 'ITM', data: { ITMREF: 'Z9-BAD-1', DES1AXX: 'x', TCLCOD: 'C3', extra: { ITMSTA: '9' } } }));
    expect([bad.code, bad.kind]).toEqual(['X3_INVALID', 'user']);
    expect(bad.message).toMatch(/ITMSTA/);
    const baddate = await failure(save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', ORDDAT: '20261340', lines: [{ ITMREF: item1, QTY: '1' }] } }));
    expect(baddate.code).toBe('X3_INVALID');
    const dup = await failure(save.call(client, { object: 'ITM', data: { ITMREF: item1, DES1AXX: 'x', TCLCOD: 'C3' } }));
    expect([dup.code, dup.kind]).toEqual(['X3_DUPLICATE', 'user']);
  });

  it('a record locked by another user → X3_LOCKED (transient), in the caller\'s language', async () => {
    const client = clientFor({ codeLang: 'FRA' });
    const so = await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00002', lines: [{ ITMREF: item1, QTY: '1' }] } });
    const res = await fetch(`${sb.url}/__sandbox/locks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'SOH', key: so.SOHNUM, ms: 60_000 }) });
    expect(res.status).toBe(200);
    const e = await failure(modify.call(client, { object: 'SOH', key: String(so.SOHNUM), data: { CUSORDREF: 'x' } }));
    expect([e.code, e.kind]).toEqual(['X3_LOCKED', 'transient']);
    expect(e.message).toMatch(/bloquée/);
    await fetch(`${sb.url}/__sandbox/locks?object=SOH&key=${so.SOHNUM}`, { method: 'DELETE' });
    expect((await modify.call(client, { object: 'SOH', key: String(so.SOHNUM), data: { CUSORDREF: 'x' } })).CUSORDREF).toBe('x');
  });

  it('concurrent modifies of one record: one wins, the other sees the lock', async () => {
    const alias = 'SLOW';
    await fetch(`${sb.url}/__sandbox/pool`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alias, channels: 4, execMs: 500, queueTimeoutMs: 5_000 }) });
    const client = clientFor({ poolAlias: alias });
    const so = await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00002', lines: [{ ITMREF: item1, QTY: '1' }] } });
    const results = await Promise.allSettled([1, 2].map((i) => modify.call(client, { object: 'SOH', key: String(so.SOHNUM), data: { CUSORDREF: `c${i}` } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as SynclineError).code).toBe('X3_LOCKED');
  });

  it('wrong pool alias (case-sensitive) → X3_POOL_NOT_FOUND; unknown publication → X3_NOT_PUBLISHED', async () => {
    const e1 = await failure(read.call(clientFor({ poolAlias: 'syncline' }), { object: 'ITM', key: item1 }));
    expect([e1.code, e1.kind]).toEqual(['X3_POOL_NOT_FOUND', 'user']);
    const e2 = await failure(read.call(clientFor({ publications: { ITM: 'YITMX' } }), { object: 'ITM', key: item1 }));
    expect([e2.code, e2.kind]).toEqual(['X3_NOT_PUBLISHED', 'user']);
    expect(e2.message).toMatch(/YITMX/);
  });

  it('bad credentials → HTTP_AUTH_FAILED; bearer token works', async () => {
    const e = await failure(read.call(clientFor({ auth: { type: 'basic', user: 'SYNCLINE', password: 'wrong' } }), { object: 'ITM', key: item1 }));
    expect([e.code, e.kind]).toEqual(['HTTP_AUTH_FAILED', 'user']);
    const ok = await read.call(clientFor({ auth: { type: 'bearer', token: String(sb.credentials.token) } }), { object: 'ITM', key: item1 });
    expect(ok.ITMREF).toBe(item1);
  });

  it('bad input is refused before anything is sent, with the fields named', async () => {
    const client = clientFor();
    const e1 = await failure(save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', lines: [{ ITMREF: item1, QTY: '-1' }] } }));
    expect([e1.code, e1.kind]).toEqual(['X3_INPUT_INVALID', 'user']);
    expect(e1.message).toMatch(/lines\.0\.QTY/);
    const e2 = await failure(save.call(client, { object: 'GAS', data: { TYP: 'ODP', FCY: 'US011', JOU: 'OD', lines: [{ ACC: '512000', SNS: 1, AMTCUR: '10.00' }, { ACC: '707000', SNS: -1, AMTCUR: '9.99' }] } }));
    expect(e2.code).toBe('X3_INPUT_INVALID');
    expect(e2.message).toMatch(/not balanced/);
    const e3 = await failure(save.call(client, { object: 'ITM', data: { ITMREF: 'Z9-X', DES1AXX: 'x', TCLCOD: 'C3', extra: { YNOTONSCREEN: '1' } } }));
    expect([e3.code, e3.kind]).toEqual(['X3_LAYOUT', 'user']);
    expect(() => new SageX3Client({ baseUrl: 'not a url', auth: { type: 'basic', user: '', password: '' }, poolAlias: '' }, { connection: 'bad' })).toThrowError(/baseUrl/);
  });

  it.each(['XML', 'JSON'] as const)('a field in the wrong group (stale layout, %s) → X3_PAYLOAD_REJECTED from X3', async (format) => {
    const client = clientFor({ payloadFormat: format, layouts: { ITM: { keys: ['ITMREF'], groups: { ITMREF: 'ITM0_1', DES1AXX: 'ITM0_1', TCLCOD: 'ITM9_9' }, tables: {} } } });
    const e = await failure(save.call(client, { object: 'ITM', data: { ITMREF: 'Z9-LAYOUT', DES1AXX: 'x', TCLCOD: 'C3' } }));
    expect([e.code, e.kind]).toEqual(['X3_PAYLOAD_REJECTED', 'user']);
    expect(e.message).toMatch(/ITM9_9/);
  });

  it('a payload in the wrong JSON grammar (sent raw) → X3_PAYLOAD_REJECTED with X3\'s reason', async () => {
    const client = clientFor();
    const e = await failure(client.call('save', { publicName: 'WSSOH', payload: '{"SOH0_1": "US011", "SOH4_1": {"ITMREF": {}}}' }));
    expect([e.code, e.kind]).toEqual(['X3_PAYLOAD_REJECTED', 'user']);
    expect(e.message).toMatch(/Invalid JSON/);
  });

  it('a SOAP Fault (X3 could not read the envelope) → X3_SOAP_FAULT with the faultstring', async () => {
    const client = clientFor();
    const e = await failure(client.http.request({ operation: 'soap.save', method: 'POST', path: client.config.soapPath, headers: { 'content-type': 'text/xml' }, body: '<soapenv:Envelope><soapenv:Body>', responseType: 'text', idempotent: false }));
    expect([e.code, e.kind]).toEqual(['X3_SOAP_FAULT', 'bug']);
    expect(String(e.details.faultstring)).toMatch(/SAXParseException/);
  });
});

describe('configurable publications and discovery', () => {
  it('getDescription discovers keys and groups of a site with its own publication names', async () => {
    const other = await start({ publications: { SOH: 'YOSOH', ITM: 'YOITM', STOCK: 'YSTOCK_LOT' } });
    try {
      const client = new SageX3Client(
        { baseUrl: other.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE', publications: { SOH: 'YOSOH', ITM: 'YOITM', STOCK: 'YSTOCK_LOT' } },
        { connection: 'x3-discover' },
      );
      await sagex3Connector.testConnection(client);
      const d = await getDescription.call(client, { object: 'SOH' });
      expect(d.keys).toEqual(['SOHNUM']);
      expect(d.groups.CUSORDREF).toBe('SOH0_1');
      expect(d.tables.SOH4_1).toContain('ITMREF');
      const it1 = [...other.state.stores.ITM.keys()][0]!;
      expect((await read.call(client, { object: 'ITM', key: it1 })).ITMREF).toBe(it1);
      expect((await getStock.call(client, { item: it1 })).length).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });
});

describe('typed views', () => {
  it('order to cash: statuses, lines and the invoice read as typed objects', async () => {
    const client = clientFor();
    const so = asSalesOrder(await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00009', CUSORDREF: 'VIEW-1', lines: [{ ITMREF: item1, QTY: '1', GROPRI: '12.00' }] } }));
    expect(so.status).toEqual({ order: 'open', allocation: 'complete', delivery: 'none', invoice: 'none' });
    expect(so.lines).toEqual([{ line: '1000', item: item1, quantity: '1', grossPrice: '12', netPrice: '12', allocated: '1', delivered: '0', invoiced: '0' }]);
    // The warehouse ships and invoices it in X3 (the sandbox's back office).
    sb.state.deliverOrder(so.number);
    const invNum = String(sb.state.invoiceOrder(so.number).fields.NUM);
    const after = asSalesOrder(await read.call(client, { object: 'SOH', key: so.number }));
    expect(after.status).toEqual({ order: 'closed', allocation: 'none', delivery: 'complete', invoice: 'complete' });
    const inv = asInvoice(await read.call(client, { object: 'SIH', key: invNum }));
    expect(inv.lines).toEqual([{ item: item1, quantity: '1', netPrice: '12', order: so.number, orderLine: '1000' }]);
    expect(inv.totalExclTax).toBe('12.00');
    expect(asItem(await read.call(client, { object: 'ITM', key: item1 })).status).toBe('active');
    const cust = asCustomer(await read.call(client, { object: 'BPC', key: 'C00009' }));
    expect(cust.addresses.filter((a) => a.isDefault)).toHaveLength(1);
    const je = asJournalEntry(await save.call(client, { object: 'GAS', data: { TYP: 'ODP', FCY: 'US011', JOU: 'OD', lines: [{ ACC: '512000', SNS: 1, AMTCUR: '3.00' }, { ACC: '707000', SNS: -1, AMTCUR: '3.00' }] } }));
    expect(je.lines.map((l) => [l.account, l.side, l.amount])).toEqual([['512000', 'debit', '3.00'], ['707000', 'credit', '3.00']]);
  });

  it('a record without the fields a view relies on → X3_LAYOUT naming them', () => {
    let err: unknown;
    try {
      asSalesOrder({ SOHNUM: 'X', ORDSTA: '7', lines: [] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SynclineError);
    expect((err as SynclineError).code).toBe('X3_LAYOUT');
    expect((err as SynclineError).message).toMatch(/ORDSTA: local menu value 7/);
  });
});

describe('stock subprogram', () => {
  it('reads the same stock lines with XML and JSON payloads; available = A stock − allocations', async () => {
    const item = item1;
    const x = await getStock.call(clientFor(), { item, site: 'US011' });
    const j = await getStock.call(clientFor({ payloadFormat: 'JSON', returnFormat: 'JSON' }), { item, site: 'US011' });
    expect(j).toEqual(x);
    expect(x.length).toBeGreaterThan(0);
    expect(x.every((l) => l.site === 'US011' && l.item === item && ['A', 'Q', 'R'].includes(l.status[0]!))).toBe(true);
    expect(available(x).get(`US011|${item}`)).toBe(sb.state.available('US011', item).toString());
  });

  it('a full output table is an error, not a silent partial answer', async () => {
    const e = await failure(getStock.call(clientFor(), {}));
    expect([e.code, e.kind]).toEqual(['X3_TRUNCATED', 'user']);
  });
});

describe('lookup before create (CUSORDREF)', () => {
  it('creates once, then finds the existing order instead of creating a second', async () => {
    const client = clientFor();
    const order = { SALFCY: 'US011', BPCORD: 'C00004', CUSORDREF: '113-5550001-7777777', lines: [{ ITMREF: item1, QTY: '1' }] };
    const first = await createSalesOrderOnce(client, order);
    const second = await createSalesOrderOnce(client, order);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.order.SOHNUM).toBe(first.order.SOHNUM);
    expect((await query.call(client, { object: 'SOH', criteria: { CUSORDREF: order.CUSORDREF } })).length).toBe(1);
    expect(await findSalesOrderByReference(client, 'never-sent')).toBeUndefined();
    // The same through api1, for sites whose left list lacks CUSORDREF.
    const viaApi1 = clientFor({ orderLookup: 'api1' });
    expect((await findSalesOrderByReference(viaApi1, order.CUSORDREF))?.SOHNUM).toBe(first.order.SOHNUM);
    expect((await createSalesOrderOnce(viaApi1, order)).created).toBe(false);
    expect(await findSalesOrderByReference(viaApi1, "it's-not-there")).toBeUndefined();
  });

  it('SOH delete: refused once delivered, allowed before, releasing the allocation', async () => {
    const client = clientFor();
    const site = 'US011';
    const before = sb.state.available(site, item2).toString();
    const a = await save.call(client, { object: 'SOH', data: { SALFCY: site, BPCORD: 'C00006', lines: [{ ITMREF: item2, QTY: '1' }] } });
    expect(sb.state.available(site, item2).toString()).not.toBe(before);
    await deleteRecord.call(client, { object: 'SOH', key: String(a.SOHNUM) });
    expect(sb.state.available(site, item2).toString()).toBe(before);
    expect((await failure(read.call(client, { object: 'SOH', key: String(a.SOHNUM) }))).code).toBe('X3_NOT_FOUND');
    const b = await save.call(client, { object: 'SOH', data: { SALFCY: site, BPCORD: 'C00006', lines: [{ ITMREF: item2, QTY: '1' }] } });
    sb.state.deliverOrder(String(b.SOHNUM));
    const e = await failure(deleteRecord.call(client, { object: 'SOH', key: String(b.SOHNUM) }));
    expect([e.code, e.kind]).toEqual(['X3_INVALID', 'user']);
    expect((await read.call(client, { object: 'SOH', key: String(b.SOHNUM) })).DLVSTA).toBe('3');
  });

  it('a save that timed out (outcome unknown) is looked up, not repeated', async () => {
    // The sandbox saves the order, but the answer arrives after the client gave up.
    await fetch(`${sb.url}/__sandbox/pool`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alias: 'LATE', channels: 2, execMs: 400 }) });
    const client = clientFor({ poolAlias: 'LATE', timeoutMs: 200 });
    const order = { SALFCY: 'US011', BPCORD: 'C00005', CUSORDREF: '113-5550002-8888888', lines: [{ ITMREF: item1, QTY: '1' }] };
    const fast = clientFor();
    const slowSave = save.call(client, { object: 'SOH', data: order });
    const e = await failure(slowSave);
    expect(e.code).toBe('HTTP_TIMEOUT');
    expect(e.details.outcomeUnknown).toBe(true);
    // X3 carries on with the save after the client gave up; wait until it has.
    for (let i = 0; i < 100 && ![...sb.state.stores.SOH.values()].some((o) => o.fields.CUSORDREF === order.CUSORDREF); i++) await new Promise((r) => setTimeout(r, 50));
    const again = await createSalesOrderOnce(fast, order);
    expect(again.created).toBe(false);
    expect((await query.call(fast, { object: 'SOH', criteria: { CUSORDREF: order.CUSORDREF } })).length).toBe(1);
  });
});
