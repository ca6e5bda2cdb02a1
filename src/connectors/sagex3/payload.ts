// The X3 PARAM/RESULT payload grammar on the client side. A record travels as blocks: `GRP` groups of
// fields and `TAB` tables of lines (`LIN`), array fields as `LST`/`ITM`; X3 reads XML or JSON (it
// detects which) and answers in the format `adxwss.optreturn` asks for. We keep records flat (field →
// value plus one list of rows per table) and let a Layout say which group each field travels in —
// layouts differ per site and come from getDescription.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { userError, transientError } from '../../core/errors.js';

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

/** A decoded RESULT: header fields (all groups merged), table rows, and group membership. */
export interface Decoded {
  fields: FlatRow;
  tables: Record<string, FlatRow[]>;
  groupOf: Record<string, string>;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, suppressBooleanAttributes: false, processEntities: true });

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
  const fieldNodes = (row: FlatRow) => {
    const fld: unknown[] = [];
    const lst: unknown[] = [];
    for (const [name, v] of Object.entries(row)) {
      if (Array.isArray(v)) lst.push({ '@_NAME': name, '@_SIZE': String(v.length), ITM: v.map((x) => ({ '#text': x })) });
      else fld.push({ '@_NAME': name, '#text': v });
    }
    return { ...(fld.length ? { FLD: fld } : {}), ...(lst.length ? { LST: lst } : {}) };
  };
  const param = {
    GRP: Object.entries(blocks.groups).map(([id, row]) => ({ '@_ID': id, ...fieldNodes(row) })),
    TAB: Object.entries(blocks.tables).map(([id, rows]) => ({
      '@_ID': id,
      LIN: rows.map((r, i) => {
        const num = lineNumbers?.[id]?.[i];
        return { ...(num !== undefined ? { '@_NUM': String(num) } : {}), ...fieldNodes(r) };
      }),
    })),
  };
  return builder.build({ PARAM: param }) as string;
}

const resultParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['GRP', 'TAB', 'LIN', 'FLD', 'LST', 'ITM'].includes(name),
});

type Node = Record<string, unknown>;
const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? String((v as Node)['#text'] ?? '') : String(v));

function badResult(why: string, sample: string) {
  return transientError('X3_BAD_RESPONSE', `X3 resultXml could not be read: ${why}`, { details: { sample: sample.slice(0, 300) } });
}

/** Decodes a record RESULT (read/save/modify/run), XML or JSON. `_LBL` label entries are dropped. */
export function decodeRecord(resultXml: string): Decoded {
  const s = resultXml.trim();
  const out: Decoded = { fields: {}, tables: {}, groupOf: {} };
  if (s.startsWith('{')) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(s) as Record<string, unknown>;
    } catch (e) {
      throw badResult((e as Error).message, s);
    }
    for (const [id, block] of Object.entries(doc)) {
      if (Array.isArray(block)) out.tables[id] = block.map((r) => jsonRow(r as Record<string, unknown>));
      else if (block && typeof block === 'object') {
        for (const [k, v] of Object.entries(jsonRow(block as Record<string, unknown>))) {
          out.fields[k] = v;
          out.groupOf[k] = id;
        }
      }
    }
    return out;
  }
  const root = parseXml(s)['RESULT'] as Node | undefined;
  if (!root || typeof root !== 'object') throw badResult('no RESULT element', s);
  for (const grp of (root['GRP'] as Node[] | undefined) ?? []) {
    const id = text(grp['@_ID']);
    for (const [k, v] of xmlFields(grp)) {
      out.fields[k] = v;
      out.groupOf[k] = id;
    }
  }
  for (const tab of (root['TAB'] as Node[] | undefined) ?? []) {
    out.tables[text(tab['@_ID'])] = ((tab['LIN'] as Node[] | undefined) ?? []).map((lin) => Object.fromEntries(xmlFields(lin)));
  }
  return out;
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
  const root = parseXml(s)['RESULT'] as Node | undefined;
  if (root === undefined) throw badResult('no RESULT element', s);
  if (typeof root !== 'object') return [];
  return ((root['LIN'] as Node[] | undefined) ?? []).map((lin) => Object.fromEntries(xmlFields(lin)));
}

function parseXml(s: string): Node {
  const valid = XMLValidator.validate(s);
  if (valid !== true) throw badResult(`line ${valid.err.line}: ${valid.err.msg}`, s);
  return resultParser.parse(s) as Node;
}

function xmlFields(node: Node): Array<[string, FieldValue]> {
  const out: Array<[string, FieldValue]> = [];
  for (const f of (node['FLD'] as unknown[] | undefined) ?? []) out.push([text((f as Node)['@_NAME']), text(f)]);
  for (const l of (node['LST'] as Node[] | undefined) ?? []) out.push([text(l['@_NAME']), ((l['ITM'] as unknown[] | undefined) ?? []).map(text)]);
  return out;
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
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', preserveOrder: false, isArray: (n) => ['GRP', 'FLD'].includes(n) });
  const valid = XMLValidator.validate(s);
  if (valid !== true) throw badResult(`line ${valid.err.line}: ${valid.err.msg}`, s);
  const doc = parser.parse(s) as Node;
  const des = (doc['ADXDES'] ?? Object.values(doc).find((v) => v && typeof v === 'object')) as Node | undefined;
  if (!des) throw badResult('no ADXDES element', s);
  const adxkey = des['ADXKEY'] as Node | undefined;
  const first = adxkey ? (Object.entries(adxkey).find(([k]) => !k.startsWith('@_'))?.[1] as Node | undefined) : undefined;
  const keys = first ? ((first['FLD'] as Node[] | undefined) ?? []).map((f) => text(f['@_NAM'])) : [];
  const data = des['ADXDATA'] as Node | undefined;
  const blocks = ((data?.['GRP'] as Node[] | undefined) ?? []).map((g) => ({
    id: text(g['@_NAM']),
    kind: (text(g['@_TYP']) === 'TAB' ? 'TAB' : 'GRP') as 'GRP' | 'TAB',
    fields: ((g['FLD'] as Node[] | undefined) ?? []).map((f) => text(f['@_NAM'])),
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
