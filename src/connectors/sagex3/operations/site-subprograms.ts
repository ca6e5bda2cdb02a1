// CAdxWebServiceXmlCC.run on two subprograms a site publishes when it wants them (no standard SOAP
// object does either): closing a sales order (the Close action of the order screen — the SOH
// publication itself offers create, modify and delete only) and a stock movement (a miscellaneous
// receipt into a status, or a status change A/Q/R), recorded once per caller reference.
// docs/connectors/sagex3.md ("Site subprograms") is the contract the site's subprograms follow.
import { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { SOAP_DOCS, type SageX3Client } from '../client.js';
import { decodeRecord, encodePayload } from '../payload.js';
import { defineX3Operation } from './define.js';

function publicationOf(client: SageX3Client, name: 'CLOSE' | 'MOVE', operation: string, what: string): string {
  const publicName = client.publications[name];
  if (!publicName) throw userError('X3_CONFIG_INVALID', `${operation}: this connection names no ${what} subprogram (publications.${name}); publish one on the X3 site (docs/connectors/sagex3.md, "Site subprograms") and name it in the connection`, { details: { publications: client.publications } });
  return publicName;
}

async function run(client: SageX3Client, publicName: string, fields: Record<string, string>) {
  const payload = encodePayload(client.config.payloadFormat, { groups: { GRP1: fields }, tables: {} });
  const r = await client.call('run', { publicName, payload });
  const f = decodeRecord(r.resultXml).fields;
  return { field: (k: string) => String(f[k] ?? ''), messages: r.messages.map((m) => m.message) };
}

export const closeSalesOrderInput = z.object({ order: z.string().min(1).max(20), reason: z.string().max(30).default('') });
const closeResult = z.object({ order: z.string(), closed: z.boolean(), status: z.object({ order: z.string(), allocation: z.string(), delivery: z.string(), invoice: z.string() }), messages: z.array(z.string()) });

/** Closes an order (ORDSTA 2): `closed` is false when it was closed already (nothing changed). */
export const closeSalesOrder = defineX3Operation<z.input<typeof closeSalesOrderInput>, z.infer<typeof closeResult>>({
  id: 'closeSalesOrder',
  docs: SOAP_DOCS,
  input: closeSalesOrderInput as unknown as z.ZodType<z.input<typeof closeSalesOrderInput>>,
  output: closeResult,
  async run(client, raw) {
    const input = closeSalesOrderInput.parse(raw);
    const r = await run(client, publicationOf(client, 'CLOSE', 'closeSalesOrder', 'order-closing'), { I_SOHNUM: input.order, I_REASON: input.reason });
    return {
      order: input.order, closed: r.field('O_CLOSED') === '1',
      status: { order: r.field('O_ORDSTA'), allocation: r.field('O_ALLSTA'), delivery: r.field('O_DLVSTA'), invoice: r.field('O_INVSTA') },
      messages: r.messages,
    };
  },
});

const quantity = z.union([z.string(), z.number()]).transform((v) => String(v)).pipe(z.string().regex(/^\d+(\.\d+)?$/, 'a quantity > 0'));
const stockStatus = z.string().regex(/^[AQR][A-Z0-9]{0,2}$/, 'A, Q or R (optionally with a sub-status)');
export const moveStockInput = z.object({
  /** receipt: goods come in (e.g. a customer return) into `status`; change: `from` → `status`. */
  kind: z.enum(['receipt', 'change']),
  site: z.string().min(1).max(5),
  item: z.string().min(1).max(20),
  quantity,
  status: stockStatus,
  from: stockStatus.optional(),
  lot: z.string().max(15).default(''),
  /** The caller's reference: the same reference twice records one movement. */
  reference: z.string().min(1).max(40),
  text: z.string().max(50).default(''),
});
const moveResult = z.object({ reference: z.string(), document: z.string(), created: z.boolean() });

export const moveStock = defineX3Operation<z.input<typeof moveStockInput>, z.infer<typeof moveResult>>({
  id: 'moveStock',
  docs: SOAP_DOCS,
  input: moveStockInput as unknown as z.ZodType<z.input<typeof moveStockInput>>,
  output: moveResult,
  async run(client, raw) {
    const input = moveStockInput.parse(raw);
    const r = await run(client, publicationOf(client, 'MOVE', 'moveStock', 'stock movement'), {
      I_TRSTYP: input.kind === 'receipt' ? '1' : '20', I_STOFCY: input.site, I_ITMREF: input.item, I_QTY: input.quantity, I_STA: input.status,
      ...(input.from ? { I_STAFROM: input.from } : {}), I_LOT: input.lot, I_REF: input.reference, I_TEXT: input.text,
    });
    return { reference: input.reference, document: r.field('O_VCRNUM'), created: r.field('O_NEW') === '2' };
  },
});
