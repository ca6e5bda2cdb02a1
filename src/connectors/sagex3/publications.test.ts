// Publications declared per site (issue 16, point 7): a site's publication carries its own fields and
// tables (table ITM3_2 of Sage's WSITM sample). The connection declares them in its `layouts`, the
// sandbox site in its `publicationFields`; then an item with its packaging units goes through and
// comes back, and without the declaration the connector says so before sending anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAGE_TESTER_PUBLICATIONS, start, type SageX3Sandbox } from '../../sandboxes/sagex3/index.js';
import { SageX3Client, type SageX3Config } from './client.js';
import { DEFAULT_LAYOUTS } from './layouts.js';
import { read } from './operations/read.js';
import { save } from './operations/save.js';
import { failure } from '../../../test/support/failure.js';

let sb: SageX3Sandbox;
let n = 0;
const clientFor = (over: Partial<SageX3Config> = {}) =>
  new SageX3Client(
    { baseUrl: sb.url, auth: { type: 'basic', user: String(sb.credentials.user), password: String(sb.credentials.password) }, poolAlias: String(sb.credentials.poolAlias), ...over },
    { connection: `x3-pub-${++n}`, breaker: false },
  );

beforeAll(async () => {
  sb = await start({ seed: 9, features: { publicationFields: SAGE_TESTER_PUBLICATIONS } });
});
afterAll(async () => sb?.close());

const item = { ITMREF: 'WSITM2', TCLCOD: 'TEST', DES1AXX: 'Test product created by WS', ACCCOD: 'FINPRODUCT', VACITM: ['NT'], tables: {
  ITM3_2: [{ PCU: 'PAC', PCUSTUCOE: '10', DACPCUCOE: '1', PCURUL: '1' }, { PCU: 'PAL', PCUSTUCOE: '40', DACPCUCOE: '1', PCURUL: '1' }],
} };

describe('Sage X3 connector: site publications', () => {
  it('saves and reads an item with the site table ITM3_2 when the connection declares it', async () => {
    const site = clientFor({ layouts: { ITM: { ...DEFAULT_LAYOUTS.ITM, tables: { ITM3_2: ['PCU', 'PCUSTUCOE', 'DACPCUCOE', 'PCURUL'] } } } });
    const saved = await save.call(site, { object: 'ITM', data: item });
    expect(saved.ITMREF).toBe('WSITM2');
    const back = await read.call(site, { object: 'ITM', key: 'WSITM2' });
    expect((back.ITM3_2 as Array<Record<string, string>>).map((r) => [r.PCU, r.PCUSTUCOE])).toEqual([['PAC', '10'], ['PAL', '40']]);
  });

  it('without the declaration the connector refuses before sending (X3_LAYOUT)', async () => {
    const stock = clientFor();
    const e = await failure(save.call(stock, { object: 'ITM', data: { ...item, ITMREF: 'WSITM3' } }));
    expect([e.code, e.details.table]).toEqual(['X3_LAYOUT', 'ITM3_2']);
    expect(sb.state.stores.ITM.has('WSITM3')).toBe(false);
  });
});
