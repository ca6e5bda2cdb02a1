// The order-closing and stock-movement subprograms against the X3 sandbox over HTTP: published only
// where the site declares them; closing is final and idempotent; a movement is recorded once per
// reference; an undeclared publication is an actionable configuration error, nothing sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type SageX3Sandbox } from '../../sandboxes/sagex3/index.js';
import { SageX3Client, type SageX3Config } from './client.js';
import { modify } from './operations/modify.js';
import { save } from './operations/save.js';
import { closeSalesOrder, moveStock } from './operations/site-subprograms.js';
import { failure } from '../../../test/support/failure.js';

let sb: SageX3Sandbox;
let n = 0;
const clientFor = (over: Partial<SageX3Config> = {}) =>
  new SageX3Client(
    { baseUrl: sb.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE', publications: { CLOSE: 'YSOHCLO', MOVE: 'YSTOMVT' }, ...over },
    { connection: `x3-sub-${++n}`, breaker: false },
  );

beforeAll(async () => {
  sb = await start({ seed: 3, publications: { CLOSE: 'YSOHCLO', MOVE: 'YSTOMVT' } });
});
afterAll(async () => sb?.close());

const item = () => [...sb.state.stores.ITM.keys()][0]!;

describe('Sage X3 site subprograms', () => {
  it('closes an open order once: allocations released, modify refused afterwards, a second close changes nothing', async () => {
    const x3 = clientFor();
    const it0 = item();
    const soh = await save.call(x3, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: 'CLOSE-1', lines: [{ ITMREF: it0, QTY: '1' }] } });
    const num = String(soh.SOHNUM);
    const first = await closeSalesOrder.call(x3, { order: num, reason: 'Amazon: Canceled' });
    expect([first.closed, first.status.order]).toEqual([true, '2']);
    expect(sb.state.get('SOH', num).tables.SOH4_1!.every((l) => l.ALLQTY === '0')).toBe(true);
    const again = await closeSalesOrder.call(x3, { order: num });
    expect([again.closed, again.status.order, again.messages]).toEqual([false, '2', [`${num} : Order already closed`]]);
    const e = await failure(modify.call(x3, { object: 'SOH', key: num, data: { SHIDAT: '20261201' } }));
    expect(e.message).toContain('Order closed');
  });

  it('an unknown order is X3_NOT_FOUND', async () => {
    const e = await failure(closeSalesOrder.call(clientFor(), { order: 'NOSUCH' }));
    expect(e.code).toBe('X3_NOT_FOUND');
  });

  it('records a receipt into status Q once per reference, and a status change Q → A', async () => {
    const x3 = clientFor();
    const it0 = item();
    const q = () => sb.state.stockRows({ site: 'US012', item: it0, sta: 'Q' }).reduce((t, r) => t + Number(r.QTYSTU), 0);
    const before = q();
    const a = await moveStock.call(x3, { kind: 'receipt', site: 'US012', item: it0, quantity: 2, status: 'Q', reference: 'RET-1' });
    const b = await moveStock.call(x3, { kind: 'receipt', site: 'US012', item: it0, quantity: 2, status: 'Q', reference: 'RET-1' });
    expect([a.created, b.created, b.document]).toEqual([true, false, a.document]);
    expect(q()).toBe(before + 2);
    const c = await moveStock.call(x3, { kind: 'change', site: 'US012', item: it0, quantity: '1', from: 'Q', status: 'A', reference: 'QC-1' });
    expect(c.created).toBe(true);
    expect(q()).toBe(before + 1);
  });

  it('without the site publication: X3_CONFIG_INVALID naming publications.MOVE; an unpublished name: X3_NOT_PUBLISHED', async () => {
    const e = await failure(moveStock.call(clientFor({ publications: {} }), { kind: 'receipt', site: 'US012', item: item(), quantity: 1, status: 'A', reference: 'R-2' }));
    expect([e.code, e.message.includes('publications.MOVE')]).toEqual(['X3_CONFIG_INVALID', true]);
    const f = await failure(closeSalesOrder.call(clientFor({ publications: { CLOSE: 'YNOPE' } }), { order: 'X' }));
    expect(f.code).toBe('X3_NOT_PUBLISHED');
  });
});
