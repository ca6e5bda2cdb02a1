// The X3 web-service payload grammar, both ways: PARAM in (XML or JSON, auto-detected as X3 does) and
// RESULT out (XML or JSON, per `adxwss.optreturn`). Records are kept flat (field → value, plus one row
// list per TAB block); the object's block layout decides where each field travels on the wire.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export type FieldType = 'Char' | 'Integer' | 'Decimal' | 'Date' | 'Clob';
export type FieldValue = string | string[];
export type Row = Record<string, FieldValue>;

export interface FieldDef {
  name: string;
  type: FieldType;
  len?: number;
  /** Local menu number: the value is an integer and the output carries its label. */
  menu?: number;
  /** An array field travels as `<LST>` with this many slots. */
  list?: number;
}
export interface BlockDef {
  id: string;
  kind: 'GRP' | 'TAB';
  /** Max rows of a TAB block. */
  dim?: number;
  fields: FieldDef[];
}

/** A decoded PARAM: header fields by name (with the group they came in) and TAB rows. */
export interface Payload {
  fields: Row;
  /** Which group each header field arrived in, to report unknown placements. */
  groupOf: Record<string, string>;
  tables: Record<string, Array<{ num?: number; row: Row }>>;
}

export class GrammarError extends Error {}

const paramParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['GRP', 'TAB', 'LIN', 'FLD', 'LST', 'ITM'].includes(name),
});

type XmlNode = Record<string, unknown>;
const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? String((v as XmlNode)['#text'] ?? '') : String(v));

/** Decodes an objectXml/inputXml string; X3 detects the format from the first character. */
export function decodePayload(input: string): Payload {
  const s = input.trim();
  if (s === '') return { fields: {}, groupOf: {}, tables: {} };
  return s.startsWith('{') || s.startsWith('[') ? decodeJson(s) : decodeXml(s);
}

function decodeXml(s: string): Payload {
  const valid = XMLValidator.validate(s);
  if (valid !== true) throw new GrammarError(`XML parsing error line ${valid.err.line}: ${valid.err.msg}`);
  const doc = paramParser.parse(s) as XmlNode;
  const root = doc['PARAM'] as XmlNode | undefined;
  if (root === undefined || typeof root !== 'object') throw new GrammarError(`Invalid XML: root element PARAM expected, found ${Object.keys(doc).filter((k) => !k.startsWith('?')).join(', ') || 'nothing'}`);
  const out: Payload = { fields: {}, groupOf: {}, tables: {} };
  for (const grp of (root['GRP'] as XmlNode[] | undefined) ?? []) {
    const id = text(grp['@_ID']);
    if (!id) throw new GrammarError('Invalid XML: GRP without ID attribute');
    for (const [name, value] of readFields(grp, id)) {
      out.fields[name] = value;
      out.groupOf[name] = id;
    }
  }
  for (const tab of (root['TAB'] as XmlNode[] | undefined) ?? []) {
    const id = text(tab['@_ID']);
    if (!id) throw new GrammarError('Invalid XML: TAB without ID attribute');
    const rows = (out.tables[id] ??= []);
    for (const lin of (tab['LIN'] as XmlNode[] | undefined) ?? []) {
      const numAttr = lin['@_NUM'];
      const num = numAttr === undefined ? undefined : Number(text(numAttr));
      if (num !== undefined && (!Number.isInteger(num) || num < 1)) throw new GrammarError(`Invalid XML: TAB ${id} LIN NUM="${text(numAttr)}" is not a line number`);
      rows.push({ ...(num !== undefined ? { num } : {}), row: Object.fromEntries(readFields(lin, id)) });
    }
  }
  const unknown = Object.keys(root).filter((k) => !['GRP', 'TAB', '#text'].includes(k) && !k.startsWith('@_'));
  if (unknown.length) throw new GrammarError(`Invalid XML: unexpected element ${unknown[0]} under PARAM`);
  return out;
}

function readFields(node: XmlNode, block: string): Array<[string, FieldValue]> {
  const out: Array<[string, FieldValue]> = [];
  for (const fld of (node['FLD'] as unknown[] | undefined) ?? []) {
    const name = typeof fld === 'object' && fld ? text((fld as XmlNode)['@_NAME']) : '';
    if (!name) throw new GrammarError(`Invalid XML: FLD without NAME attribute in ${block}`);
    out.push([name, text(fld)]);
  }
  for (const lst of (node['LST'] as XmlNode[] | undefined) ?? []) {
    const name = text(lst['@_NAME']);
    if (!name) throw new GrammarError(`Invalid XML: LST without NAME attribute in ${block}`);
    out.push([name, ((lst['ITM'] as unknown[] | undefined) ?? []).map(text)]);
  }
  return out;
}

function decodeJson(s: string): Payload {
  let doc: unknown;
  try {
    doc = JSON.parse(s);
  } catch (e) {
    throw new GrammarError(`JSON parsing error: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new GrammarError('Invalid JSON: an object of groups {"GRP_ID": {...}} is expected');
  const out: Payload = { fields: {}, groupOf: {}, tables: {} };
  for (const [id, block] of Object.entries(doc as Record<string, unknown>)) {
    if (Array.isArray(block)) {
      out.tables[id] = block.map((r, i) => {
        if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new GrammarError(`Invalid JSON: ${id}[${i}] must be an object of fields`);
        return { row: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v, `${id}[${i}].${k}`)])) };
      });
    } else if (typeof block === 'object' && block !== null) {
      for (const [k, v] of Object.entries(block)) {
        out.fields[k] = jsonValue(v, `${id}.${k}`);
        out.groupOf[k] = id;
      }
    } else {
      throw new GrammarError(`Invalid JSON: group ${id} must be an object or an array, found ${JSON.stringify(block)}`);
    }
  }
  return out;
}

function jsonValue(v: unknown, where: string): FieldValue {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return '';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  throw new GrammarError(`Invalid JSON: field ${where} must be a string, found ${JSON.stringify(v)}`);
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true, suppressBooleanAttributes: false, processEntities: true });

export interface RenderOptions {
  json: boolean;
  /** Menu labels for a menu number and value. */
  menuLabel: (menu: number, value: string) => string | undefined;
}

/** Renders a record through its block layout as `<RESULT>` XML or the JSON shape. */
export function renderRecord(blocks: BlockDef[], fields: Row, tables: Record<string, Row[]>, extraGroups: Array<{ id: string; fields: Row }>, opts: RenderOptions): string {
  if (opts.json) {
    const out: Record<string, unknown> = {};
    for (const b of blocks) {
      if (b.kind === 'GRP') out[b.id] = jsonRow(b.fields, fields, opts);
      else out[b.id] = (tables[b.id] ?? []).map((r) => jsonRow(b.fields, r, opts));
    }
    for (const g of extraGroups) out[g.id] = g.fields;
    return JSON.stringify(out);
  }
  const grp: unknown[] = [];
  const tab: unknown[] = [];
  for (const b of blocks) {
    if (b.kind === 'GRP') grp.push({ '@_ID': b.id, ...xmlFields(b.fields, fields, opts) });
    else {
      const rows = tables[b.id] ?? [];
      tab.push({ '@_DIM': String(b.dim ?? 1), '@_ID': b.id, '@_SIZE': String(rows.length), LIN: rows.map((r, i) => ({ '@_NUM': String(i + 1), ...xmlFields(b.fields, r, opts) })) });
    }
  }
  for (const g of extraGroups) grp.push({ '@_ID': g.id, FLD: Object.entries(g.fields).map(([k, v]) => ({ '@_NAME': k, '@_TYPE': 'Char', '#text': String(v) })) });
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ RESULT: { GRP: grp, TAB: tab } })}`;
}

/** Query results: one flat row per left-list line (`<LIN>` in XML, an array of objects in JSON). */
export function renderRows(fieldDefs: FieldDef[], rows: Row[], opts: RenderOptions): string {
  if (opts.json) return JSON.stringify(rows.map((r) => jsonRow(fieldDefs, r, opts)));
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ RESULT: { LIN: rows.map((r, i) => ({ '@_NUM': String(i + 1), ...xmlFields(fieldDefs, r, opts) })) } })}`;
}

function jsonRow(defs: FieldDef[], values: Row, opts: RenderOptions): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of defs) {
    const v = values[f.name] ?? (f.list ? [] : '');
    out[f.name] = v;
    if (f.menu !== undefined && typeof v === 'string') out[`${f.name}_LBL`] = opts.menuLabel(f.menu, v) ?? '';
  }
  return out;
}

function xmlFields(defs: FieldDef[], values: Row, opts: RenderOptions): Record<string, unknown> {
  const fld: unknown[] = [];
  const lst: unknown[] = [];
  for (const f of defs) {
    const v = values[f.name];
    if (f.list) {
      const items = Array.isArray(v) ? v : v ? [v] : [];
      lst.push({ '@_NAME': f.name, '@_SIZE': String(f.list), '@_TYPE': f.type, ITM: items.map((x) => ({ '#text': x })) });
      continue;
    }
    const s = Array.isArray(v) ? v.join(',') : (v ?? '');
    const node: Record<string, string> = { '@_NAME': f.name, '@_TYPE': f.type };
    if (f.menu !== undefined) {
      node['@_MENULAB'] = opts.menuLabel(f.menu, s) ?? '';
      node['@_MENULOCAL'] = String(f.menu);
    }
    if (s !== '') node['#text'] = s;
    fld.push(node);
  }
  return lst.length ? { FLD: fld, LST: lst } : { FLD: fld };
}

/** getDescription's answer: keys under ADXKEY (first child's children carry NAM), then the blocks. */
export function renderDescription(publicName: string, objectCode: string, keys: FieldDef[], blocks: BlockDef[], kind: 'object' | 'subprogram', json: boolean): string {
  const fieldNode = (f: FieldDef) => ({
    '@_NAM': f.name,
    '@_TYP': f.type === 'Char' ? 'A' : f.type === 'Integer' ? 'L' : f.type === 'Decimal' ? 'D' : f.type === 'Date' ? 'D8' : 'W',
    '@_TYPE': f.type,
    ...(f.len ? { '@_LEN': String(f.len) } : {}),
    ...(f.menu !== undefined ? { '@_MEN': String(f.menu) } : {}),
    ...(f.list ? { '@_DIM': String(f.list) } : {}),
  });
  if (json) {
    return JSON.stringify({
      ADXDES: {
        NAME: publicName, OBJECT: objectCode, KIND: kind,
        ADXKEY: keys.map((k) => ({ NAM: k.name, TYPE: k.type })),
        ADXDATA: blocks.map((b) => ({ NAM: b.id, KIND: b.kind, ...(b.dim ? { DIM: b.dim } : {}), FLD: b.fields.map((f) => ({ NAM: f.name, TYPE: f.type, ...(f.menu !== undefined ? { MENU: f.menu } : {}), ...(f.list ? { DIM: f.list } : {}) })) })),
      },
    });
  }
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({
    ADXDES: {
      '@_NAM': publicName,
      '@_OBJ': objectCode,
      '@_TYP': kind === 'object' ? 'OBJ' : 'SPG',
      ADXKEY: { KEYS: { FLD: keys.map(fieldNode) } },
      ADXDATA: {
        GRP: blocks.map((b) => ({ '@_NAM': b.id, '@_TYP': b.kind, ...(b.dim ? { '@_DIM': String(b.dim) } : {}), FLD: b.fields.map(fieldNode) })),
      },
    },
  })}`;
}
