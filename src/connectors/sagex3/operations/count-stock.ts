// CAdxWebServiceXmlCC.run on the site's stock count subprogram: one site, item and status counted at a
// quantity; X3 posts the difference as a count movement and answers what it held before. Counting is
// "set", not "add": a retry after a lost answer posts nothing more (the quantity already agrees).
// Sage ships no stock SOAP object (../shared/specs/sage-x3.md, Stock): the site publishes this one.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { SOAP_DOCS } from '../client.js';
import { decodeRecord, encodePayload } from '../payload.js';
import { defineX3Operation } from './define.js';

export const countStockInput = z.object({
  site: z.string().min(1).max(5),
  item: z.string().min(1).max(20),
  /** A, Q or R (optionally with a sub-status). */
  status: z.string().regex(/^[AQR][A-Z0-9]{0,2}$/).default('A'),
  /** The counted quantity (a whole or decimal number ≥ 0, as a string or number). */
  quantity: z.union([z.string(), z.number()]).transform((v) => String(v)).pipe(z.string().regex(/^\d+(\.\d+)?$/, 'a quantity ≥ 0')),
});

const countResult = z.object({ site: z.string(), item: z.string(), status: z.string(), counted: z.string(), before: z.string(), difference: z.string(), document: z.string() });
export type StockCount = z.infer<typeof countResult>;

export const countStock = defineX3Operation<z.input<typeof countStockInput>, StockCount>({
  id: 'countStock',
  docs: SOAP_DOCS,
  input: countStockInput as unknown as z.ZodType<z.input<typeof countStockInput>>,
  output: countResult,
  async run(client, raw) {
    const input = countStockInput.parse(raw);
    const publicName = client.publications.COUNT;
    if (!publicName) throw userError('X3_CONFIG_INVALID', 'countStock: this connection names no stock count subprogram (publications.COUNT); publish one on the X3 site and name it in the connection', { details: { publications: client.publications } });
    const payload = encodePayload(client.config.payloadFormat, { groups: { GRP1: { I_STOFCY: input.site, I_ITMREF: input.item, I_STA: input.status, I_QTYSTU: input.quantity } }, tables: {} });
    const r = await client.call('run', { publicName, payload });
    const f = decodeRecord(r.resultXml).fields;
    const s = (k: string) => String(f[k] ?? '');
    return { site: input.site, item: input.item, status: input.status, counted: new Decimal(input.quantity).toString(), before: new Decimal(s('O_PREQTY') || '0').toString(), difference: new Decimal(s('O_DIFQTY') || '0').toString(), document: s('O_VCRNUM') };
  },
});
