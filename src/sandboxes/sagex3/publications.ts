// What one X3 site publishes (GESAWE): each publication carries the screen's fields and tables as the
// site has them, custom ones included (Y*/Z* fields, extra tables). The sandbox's default layouts
// (layouts.ts) are a stock screen; a site declares what it adds, and only then does the sandbox take
// it — as a real site refuses a field its publication lacks ("ZTCLCOD : Unknown field").
import { z } from 'zod';
import type { BlockDef, FieldDef } from './grammar.js';
import { layouts as stock, type ObjectCode, type ObjectLayout } from './layouts.js';

const fieldSchema = z.strictObject({
  name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an X3 field name'),
  type: z.enum(['Char', 'Integer', 'Decimal', 'Date', 'Clob']).default('Char'),
  len: z.number().int().positive().optional(),
  menu: z.number().int().positive().optional(),
  list: z.number().int().positive().optional(),
  /**
   * Display-only (the Z* label next to a code, CRYNAM): shown on output, ignored on input, as the
   * screen computes it. Otherwise the value is stored and read back.
   */
  display: z.boolean().default(false),
});

const blockSchema = z.strictObject({
  /** A block of the stock layout (fields are added to it) or a new one (then `kind` and, for a TAB, `dim`). */
  id: z.string().regex(/^[A-Z0-9_]+$/),
  kind: z.enum(['GRP', 'TAB']).optional(),
  dim: z.number().int().positive().optional(),
  fields: z.array(fieldSchema).default([]),
});

export const publicationDeclarationSchema = z.partialRecord(z.enum(['SOH', 'ITM', 'BPC', 'SIH', 'GAS']), z.strictObject({ blocks: z.array(blockSchema) }));
export type PublicationDeclaration = z.input<typeof publicationDeclarationSchema>;

export interface SiteLayouts {
  layouts: Record<ObjectCode, ObjectLayout>;
  /** Declared fields and tables the object logic does not know: stored and read back as sent. */
  extras: Record<ObjectCode, { fields: Set<string>; tables: Set<string> }>;
}

/** The stock layouts with a site's declaration merged in. */
export function siteLayouts(declaration: PublicationDeclaration = {}): SiteLayouts {
  const decl = publicationDeclarationSchema.parse(declaration);
  const out = {} as SiteLayouts['layouts'];
  const extras = {} as SiteLayouts['extras'];
  for (const code of Object.keys(stock) as ObjectCode[]) {
    const base = stock[code];
    const blocks: BlockDef[] = base.blocks.map((b) => ({ ...b, fields: [...b.fields] }));
    const readOnly = [...base.readOnly];
    const display: string[] = [];
    const ex = { fields: new Set<string>(), tables: new Set<string>() };
    for (const d of decl[code]?.blocks ?? []) {
      let block = blocks.find((b) => b.id === d.id);
      if (!block) {
        if (!d.kind) throw new TypeError(`sagex3 publications: ${code} block ${d.id} is not in the stock layout; give its kind (GRP or TAB)`);
        if (d.kind === 'TAB' && !d.dim) throw new TypeError(`sagex3 publications: ${code} table ${d.id} needs its DIM`);
        block = { id: d.id, kind: d.kind, ...(d.dim ? { dim: d.dim } : {}), fields: [] };
        blocks.push(block);
        if (block.kind === 'TAB') ex.tables.add(block.id);
      } else if (d.dim) block.dim = d.dim;
      for (const f of d.fields) {
        if (block.fields.some((x) => x.name === f.name)) continue;
        const def: FieldDef = { name: f.name, type: f.type, ...(f.len ? { len: f.len } : {}), ...(f.menu ? { menu: f.menu } : {}), ...(f.list ? { list: f.list } : {}) };
        block.fields.push(def);
        if (f.display) display.push(f.name);
        else if (block.kind === 'GRP') ex.fields.add(f.name);
      }
    }
    out[code] = { ...base, blocks, readOnly, display };
    extras[code] = ex;
  }
  return { layouts: out, extras };
}

const c = (name: string, len = 30, display = true) => ({ name, type: 'Char' as const, len, display });
const menu1 = (name: string) => ({ name, type: 'Integer' as const, menu: 1 });

/**
 * What Sage's own SOAP tester samples (Sage-ERP-X3/soap-tester-client, ParamFiles/Object/WSITM and
 * WSBPC *_SAVE.XML) carry beyond the stock screen: the Z* labels, table ITM3_2 (packaging units),
 * and the BPC fields of the full customer screen. A site publishing these screens declares this.
 */
export const SAGE_TESTER_PUBLICATIONS: PublicationDeclaration = {
  ITM: {
    blocks: [
      { id: 'ITM0_1', fields: [c('ZTCLCOD')] },
      { id: 'ITM5_1', fields: [c('ZACCCOD'), { name: 'ZVACITM', type: 'Char', len: 30, list: 3, display: true }] },
      { id: 'ITM3_2', kind: 'TAB', dim: 4, fields: [c('PCU', 3, false), c('ZPCU', 30), { name: 'PCUSTUCOE', type: 'Decimal' }, { name: 'DACPCUCOE', type: 'Integer', menu: 1 }, { name: 'PCURUL', type: 'Integer', menu: 2706 }] },
    ],
  },
  BPC: {
    blocks: [
      { id: 'BPC0_1', fields: [c('ZBCGCOD')] },
      { id: 'BPRC_1', fields: [menu1('LEGETT'), c('ZCRY'), c('ZLAN'), c('NAF', 10, false), c('ZCUR'), menu1('BPRFBDMAG')] },
      { id: 'BPC3_2', fields: [c('ZVACBPR'), c('VATEXN', 30, false)] },
      {
        id: 'BPAC_1',
        fields: [c('CRYNAM', 40), ...['TEL2', 'TEL3', 'TEL4', 'TEL5'].map((n) => c(n, 20, false)), ...['WEB2', 'WEB3', 'WEB4', 'WEB5'].map((n) => c(n, 80, false)), c('FCYWEB', 5, false), c('EXTNUM', 30, false), { name: 'FLMOD', type: 'Integer' }, menu1('ADRVAL'), { name: 'FLMODFONC', type: 'Integer' }],
      },
    ],
  },
};
