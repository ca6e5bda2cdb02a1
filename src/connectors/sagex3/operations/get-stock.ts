// CAdxWebServiceXmlCC.run on the site's stock subprogram (after Sage's sample YSTOCK_LOT: I_PAT_*
// patterns in, O_* rows out): stock lines by site, item, lot and status (A accepted, Q quality
// control, R rejected). https://online-help.sageerpx3.com/erp/12/wp-static-content/static-pages/en_US/V7DEV/api-guide_soap-web-services.html
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { SOAP_DOCS } from '../client.js';
import { decodeRecord, encodePayload } from '../payload.js';
import { defineX3Operation } from './define.js';

export const getStockInput = z.object({
  site: z.string().max(5).optional(),
  item: z.string().max(20).optional(),
  lot: z.string().max(15).optional(),
  /** A, Q, R (optionally with a sub-status), or a prefix pattern such as `A*`. */
  status: z.string().max(3).optional(),
});
const stockLine = z.object({ site: z.string(), item: z.string(), lot: z.string(), location: z.string(), status: z.string(), quantity: z.string(), allocated: z.string(), unit: z.string() });
export type StockLine = z.infer<typeof stockLine>;

export const getStock = defineX3Operation<z.input<typeof getStockInput>, StockLine[]>({
  id: 'getStock',
  docs: SOAP_DOCS,
  input: getStockInput,
  output: z.array(stockLine),
  async run(client, input) {
    const fields: Record<string, string> = {};
    if (input.site) fields.I_PAT_STOFCY = input.site;
    if (input.item) fields.I_PAT_ITM = input.item;
    if (input.lot) fields.I_PAT_LOT = input.lot;
    if (input.status) fields.I_PAT_STA = input.status;
    const payload = encodePayload(client.config.payloadFormat, { groups: { GRP1: fields }, tables: {} });
    const r = await client.call('run', { publicName: client.publication('STOCK'), payload });
    const decoded = decodeRecord(r.resultXml);
    const rows = decoded.tables.GRP2 ?? [];
    // A full output table comes with a warning: a partial stock picture must not pass for the whole.
    const warnings = r.messages.filter((m) => m.type === '2');
    if (warnings.length) {
      throw userError('X3_TRUNCATED', `${client.publication('STOCK')}: ${warnings.map((w) => w.message).join(' | ')}`, { details: { returned: rows.length, criteria: input, messages: warnings } });
    }
    return rows.map((row) => {
      const s = (k: string) => String(row[k] ?? '');
      return { site: s('O_STOFCY'), item: s('O_ITMREF'), lot: s('O_LOT'), location: s('O_LOC'), status: s('O_STA'), quantity: new Decimal(s('O_QTYSTU') || '0').toString(), allocated: new Decimal(s('O_CUMALLQTY') || '0').toString(), unit: s('O_STU') };
    });
  },
});

/** Sellable quantity per site and item: accepted (A) stock minus what is allocated. */
export function available(lines: StockLine[]): Map<string, string> {
  const out = new Map<string, Decimal>();
  for (const l of lines) {
    if (!l.status.startsWith('A')) continue;
    const k = `${l.site}|${l.item}`;
    out.set(k, (out.get(k) ?? new Decimal(0)).plus(l.quantity).minus(l.allocated));
  }
  return new Map([...out].map(([k, v]) => [k, v.toString()]));
}

const sellableLine = z.object({ site: z.string(), item: z.string(), available: z.string() });

/**
 * getStock summed per site and item: accepted (A…) quantity less allocations, as decimal strings
 * (may be negative when more is allocated than accepted). Flows batch stock with this: summing
 * hundreds of lot lines in a flow expression is quadratic there.
 */
export const getSellableStock = defineX3Operation<z.input<typeof getStockInput>, Array<z.infer<typeof sellableLine>>>({
  id: 'getSellableStock',
  docs: SOAP_DOCS,
  input: getStockInput,
  output: z.array(sellableLine),
  async run(client, input) {
    const lines = await getStock.call(client, input);
    return [...available(lines)].map(([k, v]) => {
      const [site, item] = k.split('|') as [string, string];
      return { site, item, available: v };
    });
  },
});
