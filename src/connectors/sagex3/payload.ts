// The X3 PARAM/RESULT payload grammar on the client side. A record travels as blocks: `GRP` groups of
// fields and `TAB` tables of lines (`LIN`), array fields as `LST`/`ITM`; X3 reads XML or JSON (it
// detects which) and answers in the format `adxwss.optreturn` asks for. We keep records flat (field →
// value plus one list of rows per table) and let a Layout say which group each field travels in —
// layouts differ per site and come from getDescription.
import { userError, transientError } from '../../core/errors.js';
import { child, children, esc, parseXml as readXml, XmlSyntaxError, type XmlElement } from '../../xml/xml.js';

export type FieldValue = string | string[];
export type FlatRow = Record<string, FieldValue>;

/** Which group each header field belongs to, and the fields of each table. */
export interface Layout {
  /** field name → GRP id */
  groups: Record<string, string>;
  /** TAB id → its field names (empty: accept any). */
  tables: Record<string, string[]>;
  /** Key fields in objectKeys order. */
  keys: string[];
}

/** A decoded RESULT: header fields (all groups merged) and table rows. */
export interface Decoded {
  fields: FlatRow;
  tables: Record<string, FlatRow[]>;
}

/** Places flat fields into their groups; a field no group carries is an error, not a silent drop. */
export function toBlocks(layout: Layout, publication: string, fields: FlatRow, tables: Record<string, FlatRow[]>): { groups: Record<string, FlatRow>; tables: Record<string, FlatRow[]> } {
  const groups: Record<string, FlatRow> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const g = layout.groups[name];
    if (!g) throw userError('X3_LAYOUT', `${publication}: field ${name} is in no group of the publication's layout`, { details: { publication, field: name, known: Object.keys(layout.groups) } });
    (groups[g] ??= {})[name] = value;
  }
  for (const [tab, rows] of Object.entries(tables)) {
    const allowed = layout.tables[tab];
    if (!allowed) throw userError('X3_LAYOUT', `${publication}: table ${tab} is not in the publication's layout`, { details: { publication, table: tab, known: Object.keys(layout.tables) } });
    if (allowed.length) {
      for (const r of rows) for (const k of Object.keys(r)) if (!allowed.includes(k)) throw userError('X3_LAYOUT', `${publication}: field ${k} is not a column of table ${tab}`, { details: { publication, table: tab, field: k } });
    }
  }
  return { groups, tables };
}

/**
 * Encodes blocks as PARAM. XML lines carry `NUM` only when `lineNumbers` gives them (modify: NUM n
 * updates line n; a line without NUM is added).
 */
export function encodePayload(format: 'XML' | 'JSON', blocks: { groups: Record<string, FlatRow>; tables: Record<string, FlatRow[]> }, lineNumbers?: Record<string, Array<number | undefined>>): string {
  if (format === 'JSON') {
    const out: Record<string, unknown> = {};
    for (const [g, f] of Object.entries(blocks.groups)) out[g] = f;
    for (const [t, rows] of Object.entries(blocks.tables)) out[t] = rows;
    return JSON.stringify(out);
  }
  // FLD fields first, then LST arrays, each value escaped.
  const fieldNodes = (row: FlatRow) => {
    let fld = '';
    let lst = '';
    for (const [name, v] of Object.entries(row)) {
      if (Array.isArray(v)) lst += `<LST NAME="${esc(name)}" SIZE="${v.length}">${v.map((x) => `<ITM>${esc(x)}</ITM>`).join('')}</LST>`;
      else fld += `<FLD NAME="${esc(name)}">${esc(v)}</FLD>`;
    }
    return fld + lst;
  };
  let xml = '<PARAM>';
  for (const [id, row] of Object.entries(blocks.groups)) xml += `<GRP ID="${esc(id)}">${fieldNodes(row)}</GRP>`;
  for (const [id, rows] of Object.entries(blocks.tables)) {
    xml += `<TAB ID="${esc(id)}">`;
    rows.forEach((r, i) => {
      const num = lineNumbers?.[id]?.[i];
      xml += `<LIN${num !== undefined ? ` NUM="${num}"` : ''}>${fieldNodes(r)}</LIN>`;
    });
    xml += '</TAB>';
  }
  return `${xml}</PARAM>`;
}

const text = (el: XmlElement): string => el.text.trim();

function badResult(why: string, sample: string) {
  return transientError('X3_BAD_RESPONSE', `X3 resultXml could not be read: ${why}`, { details: { sample: sample.slice(0, 300) } });
}

/** Decodes a record RESULT (read/save/modify/run), XML or JSON. `_LBL` label entries are dropped. */
export function decodeRecord(resultXml: string): Decoded {
  const s = resultXml.trim();
  const out: Decoded = { fields: {}, tables: {} };
  if (s.startsWith('{')) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(s) as Record<string, unknown>;
    } catch (e) {
      throw badResult((e as Error).message, s);
    }
    for (const [id, block] of Object.entries(doc)) {
      if (Array.isArray(block)) out.tables[id] = block.map((r) => jsonRow(r as Record<string, unknown>));
      else if (block && typeof block === 'object') Object.assign(out.fields, jsonRow(block as Record<string, unknown>));
    }
    return out;
  }
  const root = parseXml(s);
  // An empty RESULT carries no record.
  if (root.name !== 'RESULT' || (!root.children.length && !Object.keys(root.attrs).length)) throw badResult('no RESULT element', s);
  // Read in place (no field pairs, no filtered child lists): a save's answer is read once per order.
  for (const grp of root.children) if (grp.name === 'GRP') fieldsInto(grp, out.fields);
  for (const tab of root.children) if (tab.name === 'TAB') out.tables[tab.attrs['ID'] ?? ''] = linRows(tab);
  return out;
}

/** The `<LIN>` rows of a TAB (or of a query's RESULT), each a flat row. */
function linRows(node: XmlElement): FlatRow[] {
  const rows: FlatRow[] = [];
  for (const lin of node.children) {
    if (lin.name !== 'LIN') continue;
    const row: FlatRow = {};
    fieldsInto(lin, row);
    rows.push(row);
  }
  return rows;
}

/** `o[k] = v`, but a field named __proto__ becomes an own property (as Object.fromEntries makes it). */
function setField(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** A node's FLD values, then its LST arrays, into `into`. */
function fieldsInto(node: XmlElement, into: FlatRow): void {
  for (const f of node.children) if (f.name === 'FLD') setField(into, f.attrs['NAME'] ?? '', text(f));
  for (const l of node.children) {
    if (l.name !== 'LST') continue;
    const k = l.attrs['NAME'] ?? '';
    const items: string[] = [];
    for (const it of l.children) if (it.name === 'ITM') items.push(text(it));
    setField(into, k, items);
  }
}

/** Decodes a query RESULT: `<LIN>` rows in XML, an array of flat objects in JSON. */
export function decodeRows(resultXml: string): FlatRow[] {
  const s = resultXml.trim();
  if (s === '') return [];
  if (s.startsWith('[') || s.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(s);
    } catch (e) {
      throw badResult((e as Error).message, s);
    }
    const arr = Array.isArray(doc) ? doc : [];
    return arr.map((r) => jsonRow(r as Record<string, unknown>));
  }
  const root = parseXml(s);
  if (root.name !== 'RESULT') throw badResult('no RESULT element', s);
  return linRows(root);
}

function parseXml(s: string): XmlElement {
  try {
    return readXml(s);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw badResult(`line ${e.line}: ${e.message}`, s);
    throw e;
  }
}

function jsonRow(r: Record<string, unknown>): FlatRow {
  const out: FlatRow = {};
  for (const [k, v] of Object.entries(r ?? {})) {
    if (k.endsWith('_LBL')) continue;
    out[k] = Array.isArray(v) ? v.map((x) => String(x ?? '')) : v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/** Parses getDescription: keys are the children (with NAM) of ADXKEY's first child; blocks from ADXDATA. */
export function decodeDescription(resultXml: string): Layout & { blocks: Array<{ id: string; kind: 'GRP' | 'TAB'; fields: string[] }> } {
  const s = resultXml.trim();
  if (s.startsWith('{')) {
    let doc: { ADXDES?: { ADXKEY?: Array<{ NAM: string }>; ADXDATA?: Array<{ NAM: string; KIND: string; FLD: Array<{ NAM: string }> }> } };
    try {
      doc = JSON.parse(s) as typeof doc;
    } catch (e) {
      throw badResult((e as Error).message, s);
    }
    const blocks = (doc.ADXDES?.ADXDATA ?? []).map((b) => ({ id: b.NAM, kind: (b.KIND === 'TAB' ? 'TAB' : 'GRP') as 'GRP' | 'TAB', fields: (b.FLD ?? []).map((f) => f.NAM) }));
    return fromBlocks((doc.ADXDES?.ADXKEY ?? []).map((k) => k.NAM), blocks);
  }
  // The root is ADXDES (any name is taken); an empty one describes nothing.
  const des = parseXml(s);
  if (!des.children.length) throw badResult('no ADXDES element', s);
  const first = child(des, 'ADXKEY')?.children[0];
  const keys = children(first, 'FLD').map((f) => f.attrs['NAM'] ?? '');
  const blocks = children(child(des, 'ADXDATA'), 'GRP').map((g) => ({
    id: g.attrs['NAM'] ?? '',
    kind: (g.attrs['TYP'] === 'TAB' ? 'TAB' : 'GRP') as 'GRP' | 'TAB',
    fields: children(g, 'FLD').map((f) => f.attrs['NAM'] ?? ''),
  }));
  return fromBlocks(keys, blocks);
}

function fromBlocks(keys: string[], blocks: Array<{ id: string; kind: 'GRP' | 'TAB'; fields: string[] }>) {
  const groups: Record<string, string> = {};
  const tables: Record<string, string[]> = {};
  for (const b of blocks) {
    if (b.kind === 'TAB') tables[b.id] = b.fields;
    else for (const f of b.fields) groups[f] ??= b.id;
  }
  return { keys, groups, tables, blocks };
}
