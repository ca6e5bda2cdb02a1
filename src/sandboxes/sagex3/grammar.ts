// The X3 web-service payload grammar, both ways: PARAM in (XML or JSON, auto-detected as X3 does) and
// RESULT out (XML or JSON, per `adxwss.optreturn`). Records are kept flat (field → value, plus one row
// list per TAB block); the object's block layout decides where each field travels on the wire.
import { esc, parseXml, XmlSyntaxError, type XmlElement } from '../../xml/xml.js';

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

/** Decodes an objectXml/inputXml string; X3 detects the format from the first character. */
export function decodePayload(input: string): Payload {
  const s = input.trim();
  if (s === '') return { fields: {}, groupOf: {}, tables: {} };
  return s.startsWith('{') || s.startsWith('[') ? decodeJson(s) : decodeXml(s);
}

function decodeXml(s: string): Payload {
  let root: XmlElement;
  try {
    root = parseXml(s);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new GrammarError(`XML parsing error line ${e.line}: ${e.message}`);
    throw e;
  }
  if (root.name !== 'PARAM') throw new GrammarError(`Invalid XML: root element PARAM expected, found ${root.name}`);
  const out: Payload = { fields: {}, groupOf: {}, tables: {} };
  for (const el of root.children) {
    if (el.name === 'GRP') {
      const id = el.attrs['ID'];
      if (!id) throw new GrammarError('Invalid XML: GRP without ID attribute');
      for (const [name, value] of readFields(el, id)) {
        out.fields[name] = value;
        out.groupOf[name] = id;
      }
    } else if (el.name === 'TAB') {
      const id = el.attrs['ID'];
      if (!id) throw new GrammarError('Invalid XML: TAB without ID attribute');
      const rows = (out.tables[id] ??= []);
      for (const lin of el.children) {
        if (lin.name !== 'LIN') throw new GrammarError(`Invalid XML: unexpected element ${lin.name} in TAB ${id}`);
        const numAttr = lin.attrs['NUM'];
        const num = numAttr === undefined ? undefined : Number(numAttr);
        if (num !== undefined && (!Number.isInteger(num) || num < 1)) throw new GrammarError(`Invalid XML: TAB ${id} LIN NUM="${numAttr}" is not a line number`);
        rows.push({ ...(num !== undefined ? { num } : {}), row: Object.fromEntries(readFields(lin, id)) });
      }
    } else throw new GrammarError(`Invalid XML: unexpected element ${el.name} under PARAM`);
  }
  return out;
}

function readFields(node: XmlElement, block: string): Array<[string, FieldValue]> {
  const out: Array<[string, FieldValue]> = [];
  for (const el of node.children) {
    const name = el.attrs['NAME'];
    if (el.name === 'FLD') {
      if (!name) throw new GrammarError(`Invalid XML: FLD without NAME attribute in ${block}`);
      out.push([name, el.text.trim()]);
    } else if (el.name === 'LST') {
      if (!name) throw new GrammarError(`Invalid XML: LST without NAME attribute in ${block}`);
      out.push([name, el.children.filter((c) => c.name === 'ITM').map((c) => c.text.trim())]);
    } else throw new GrammarError(`Invalid XML: unexpected element ${el.name} in ${block}`);
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

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

export interface RenderOptions {
  json: boolean;
  /** Menu labels for a menu number and value. */
  menuLabel: (menu: number, value: string) => string | undefined;
  /** `adxwss.optjson` (JSON output only): OPTIONS nolabels, INCLUDEGRP/EXCLUDEGRP, INCLUDEFLD/EXCLUDEFLD. */
  optjson?: { nolabels?: boolean; includeGrp?: string[]; excludeGrp?: string[]; includeFld?: string[]; excludeFld?: string[] };
}

const keepBlock = (id: string, o: RenderOptions) => !(o.optjson?.includeGrp?.length && !o.optjson.includeGrp.includes(id)) && !o.optjson?.excludeGrp?.includes(id);
const keepField = (name: string, o: RenderOptions) => !(o.optjson?.includeFld?.length && !o.optjson.includeFld.includes(name)) && !o.optjson?.excludeFld?.includes(name);

/** Renders a record through its block layout as `<RESULT>` XML or the JSON shape. */
export function renderRecord(blocks: BlockDef[], fields: Row, tables: Record<string, Row[]>, extraGroups: Array<{ id: string; fields: Row }>, opts: RenderOptions): string {
  if (opts.json) {
    const out: Record<string, unknown> = {};
    for (const b of blocks) {
      if (!keepBlock(b.id, opts)) continue;
      if (b.kind === 'GRP') out[b.id] = jsonRow(b.fields, fields, opts);
      else out[b.id] = (tables[b.id] ?? []).map((r) => jsonRow(b.fields, r, opts));
    }
    for (const g of extraGroups) if (keepBlock(g.id, opts)) out[g.id] = g.fields;
    return JSON.stringify(out);
  }
  let grp = '';
  let tab = '';
  for (const b of blocks) {
    if (b.kind === 'GRP') grp += `<GRP ID="${esc(b.id)}">${xmlFields(b.fields, fields, opts)}</GRP>`;
    else {
      const rows = tables[b.id] ?? [];
      tab += `<TAB DIM="${b.dim ?? 1}" ID="${esc(b.id)}" SIZE="${rows.length}">${rows.map((r, i) => `<LIN NUM="${i + 1}">${xmlFields(b.fields, r, opts)}</LIN>`).join('')}</TAB>`;
    }
  }
  for (const g of extraGroups) grp += `<GRP ID="${esc(g.id)}">${Object.entries(g.fields).map(([k, v]) => `<FLD NAME="${esc(k)}" TYPE="Char">${esc(String(v))}</FLD>`).join('')}</GRP>`;
  return `${XML_DECL}<RESULT>${grp}${tab}</RESULT>`;
}

/** Query results: one flat row per left-list line (`<LIN>` in XML, an array of objects in JSON). */
export function renderRows(fieldDefs: FieldDef[], rows: Row[], opts: RenderOptions): string {
  if (opts.json) return JSON.stringify(rows.map((r) => jsonRow(fieldDefs, r, opts)));
  return `${XML_DECL}<RESULT>${rows.map((r, i) => `<LIN NUM="${i + 1}">${xmlFields(fieldDefs, r, opts)}</LIN>`).join('')}</RESULT>`;
}

function jsonRow(defs: FieldDef[], values: Row, opts: RenderOptions): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of defs) {
    if (!keepField(f.name, opts)) continue;
    const v = values[f.name] ?? (f.list ? [] : '');
    out[f.name] = v;
    if (f.menu !== undefined && typeof v === 'string' && !opts.optjson?.nolabels) out[`${f.name}_LBL`] = opts.menuLabel(f.menu, v) ?? '';
  }
  return out;
}

function xmlFields(defs: FieldDef[], values: Row, opts: RenderOptions): string {
  let fld = '';
  let lst = '';
  for (const f of defs) {
    const v = values[f.name];
    if (f.list) {
      const items = Array.isArray(v) ? v : v ? [v] : [];
      lst += `<LST NAME="${f.name}" SIZE="${f.list}" TYPE="${f.type}">${items.map((x) => `<ITM>${esc(x)}</ITM>`).join('')}</LST>`;
      continue;
    }
    const s = Array.isArray(v) ? v.join(',') : (v ?? '');
    const menu = f.menu !== undefined ? ` MENULAB="${esc(opts.menuLabel(f.menu, s) ?? '')}" MENULOCAL="${f.menu}"` : '';
    fld += s === '' ? `<FLD NAME="${f.name}" TYPE="${f.type}"${menu}/>` : `<FLD NAME="${f.name}" TYPE="${f.type}"${menu}>${esc(s)}</FLD>`;
  }
  return fld + lst;
}

/** getDescription's answer: keys under ADXKEY (first child's children carry NAM), then the blocks. */
export function renderDescription(publicName: string, objectCode: string, keys: FieldDef[], blocks: BlockDef[], kind: 'object' | 'subprogram', json: boolean): string {
  if (json) {
    return JSON.stringify({
      ADXDES: {
        NAME: publicName, OBJECT: objectCode, KIND: kind,
        ADXKEY: keys.map((k) => ({ NAM: k.name, TYPE: k.type })),
        ADXDATA: blocks.map((b) => ({ NAM: b.id, KIND: b.kind, ...(b.dim ? { DIM: b.dim } : {}), FLD: b.fields.map((f) => ({ NAM: f.name, TYPE: f.type, ...(f.menu !== undefined ? { MENU: f.menu } : {}), ...(f.list ? { DIM: f.list } : {}) })) })),
      },
    });
  }
  const fieldNode = (f: FieldDef) => {
    const typ = f.type === 'Char' ? 'A' : f.type === 'Integer' ? 'L' : f.type === 'Decimal' ? 'D' : f.type === 'Date' ? 'D8' : 'W';
    return `<FLD NAM="${esc(f.name)}" TYP="${typ}" TYPE="${f.type}"${f.len ? ` LEN="${f.len}"` : ''}${f.menu !== undefined ? ` MEN="${f.menu}"` : ''}${f.list ? ` DIM="${f.list}"` : ''}/>`;
  };
  const blocksXml = blocks.map((b) => `<GRP NAM="${esc(b.id)}" TYP="${b.kind}"${b.dim ? ` DIM="${b.dim}"` : ''}>${b.fields.map(fieldNode).join('')}</GRP>`).join('');
  return `${XML_DECL}<ADXDES NAM="${esc(publicName)}" OBJ="${esc(objectCode)}" TYP="${kind === 'object' ? 'OBJ' : 'SPG'}"><ADXKEY><KEYS>${keys.map(fieldNode).join('')}</KEYS></ADXKEY><ADXDATA>${blocksXml}</ADXDATA></ADXDES>`;
}
