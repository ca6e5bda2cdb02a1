// A small strict XML reader and writer for the SOAP hot path, shared by the Sage X3 sandbox (Axis's
// side) and the X3 connector (the client's side): each must handle ≥ 1,000 SOAP saves a second, and
// a general-purpose parser spent most of that budget (fast-xml-parser: ~0.4 ms to validate and read
// one 3 KB RESULT, this reader ~0.06 ms). It reads only what SOAP envelopes and PARAM/RESULT payloads
// contain (elements, attributes, text, CDATA, comments, the XML declaration, the five entities and
// character references), refuses anything malformed with a line and column as a SAX parser would,
// and refuses DOCTYPEs as Axis does. It imports nothing: both sides may use it.
export interface XmlElement {
  /** Local name (namespace prefix removed). */
  name: string;
  /** Attributes by local name (prefix removed; xmlns declarations dropped). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (CDATA included), untrimmed. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(readonly line: number, readonly column: number, message: string) {
    super(message);
  }
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** XML names as this reader takes them: [A-Za-z_][A-Za-z0-9_.:-]* (what SOAP and PARAM/RESULT use). */
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isNameChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 95 || c === 46 || c === 45;

// Character codes the reader branches on.
const LT = 60;
const GT = 62;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;
const AMP = 38;

/** A syntax error at `at`, with its line and column. */
function failAt(src: string, at: number, msg: string): never {
  let line = 1;
  let col = 1;
  for (let k = 0; k < at && k < src.length; k++) {
    if (src.charCodeAt(k) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  throw new XmlSyntaxError(line, col, msg);
}

/** Character data with its entity and character references replaced (`at`: where errors point). */
function decode(src: string, s: string, at: number): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&([^;&\s]*);?/g, (m, ent: string) => {
    if (!m.endsWith(';')) failAt(src, at, `The entity name must immediately be followed by the ';' delimiter.`);
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    const v = ENTITIES[ent];
    if (v === undefined) failAt(src, at, `The entity "${ent}" was referenced, but not declared.`);
    return v!;
  });
}

function local(q: string): string {
  const c = q.indexOf(':');
  return c < 0 ? q : q.slice(c + 1);
}

// Names repeat (FLD, NAME, TYPE …, thousands of times a second): one string per name, kept in a
// small table by a hash of its ends, middle and length, spares a slice and its prefix split per name,
// and attribute names come as the same already-internalized string (a key made of a fresh slice costs
// a string-table look-up at every store). A collision only replaces the slot.
const NAME_SLOTS = 512;
const qnameAt: string[] = new Array<string>(NAME_SLOTS).fill('');
const localAt: string[] = new Array<string>(NAME_SLOTS).fill('');
/** The slot holding the name src[at, end) (its qualified form in qnameAt, its local one in localAt). */
function nameSlot(src: string, at: number, end: number): number {
  const len = end - at;
  const h = (src.charCodeAt(at) * 31 + src.charCodeAt((at + end) >> 1) * 17 + src.charCodeAt(end - 1) * 7 + len * 131) & (NAME_SLOTS - 1);
  const q = qnameAt[h]!;
  if (q.length !== len || !src.startsWith(q, at)) {
    const name = src.slice(at, end);
    qnameAt[h] = name;
    localAt[h] = local(name);
  }
  return h;
}

/** End of the name starting at `at`, or -1 when none starts there. */
function nameEnd(src: string, at: number): number {
  const n = src.length;
  if (at >= n || !isNameStart(src.charCodeAt(at))) return -1;
  let k = at + 1;
  while (k < n && isNameChar(src.charCodeAt(k))) k++;
  return k;
}

/** Past white space, the XML declaration, processing instructions and comments; refuses a DOCTYPE. */
function skipMisc(src: string, at: number): number {
  let i = at;
  const n = src.length;
  for (;;) {
    while (i < n && isSpace(src.charCodeAt(i))) i++;
    if (src.startsWith('<?', i)) {
      const e = src.indexOf('?>', i);
      if (e < 0) failAt(src, i, 'XML document structures must start and end within the same entity.');
      i = e + 2;
    } else if (src.startsWith('<!--', i)) {
      const e = src.indexOf('-->', i);
      if (e < 0) failAt(src, i, 'XML document structures must start and end within the same entity.');
      i = e + 3;
    } else if (src.startsWith('<!DOCTYPE', i)) {
      failAt(src, i, 'DOCTYPE is disallowed when the feature "http://apache.org/xml/features/disallow-doctype-decl" set to true.');
    } else return i;
  }
}

// The reader walks character codes with its position in a local no closure captures (a captured
// `let` lives in a context slot: every `i++` became a memory store), with no per-character strings
// and no regex per name.
export function parseXml(src: string): XmlElement {
  const n = src.length;
  let i = skipMisc(src, 0);
  if (src.charCodeAt(i) !== LT) failAt(src, i, i >= n ? 'Premature end of file.' : 'Content is not allowed in prolog.');
  // Open elements and their qualified names; `cur` is the innermost.
  const stack: XmlElement[] = [];
  const qnames: string[] = [];
  let cur: XmlElement | undefined;
  let root: XmlElement | undefined;
  // Attribute names of the element being read (a duplicate is an error).
  const seen: string[] = [];
  let nSeen = 0;
  while (i < n) {
    if (src.charCodeAt(i) === LT) {
      const c1 = src.charCodeAt(i + 1);
      if (c1 === SLASH) {
        const open = qnames.pop();
        stack.pop();
        // The end tag names the open element when that name follows "</" and no name character does.
        const e = open !== undefined && src.startsWith(open, i + 2) && !isNameChar(src.charCodeAt(i + 2 + open.length)) ? i + 2 + open.length : nameEnd(src, i + 2);
        if (e < 0) failAt(src, i, 'The end-tag must be a name.');
        const name = src.slice(i + 2, e);
        if (open !== name) failAt(src, i, `The element type "${open ?? ''}" must be terminated by the matching end-tag "</${open ?? ''}>".`);
        i = e;
        while (i < n && isSpace(src.charCodeAt(i))) i++;
        if (src.charCodeAt(i) !== GT) failAt(src, i, `The end-tag for element type "${name}" must end with a '>' delimiter.`);
        i++;
        if (stack.length === 0) {
          i = skipMisc(src, i);
          if (i < n) failAt(src, i, 'Content is not allowed in trailing section.');
          return root!;
        }
        cur = stack[stack.length - 1];
        continue;
      }
      if (c1 === BANG) {
        if (src.startsWith('<![CDATA[', i)) {
          if (!cur) failAt(src, i, 'Content is not allowed in prolog.');
          const e = src.indexOf(']]>', i + 9);
          if (e < 0) failAt(src, i, 'The CDATA section must end with "]]>".');
          cur!.text += src.slice(i + 9, e);
          i = e + 3;
          continue;
        }
        if (src.startsWith('<!--', i)) {
          const e = src.indexOf('-->', i + 4);
          if (e < 0) failAt(src, i, 'The comment must end with "-->".');
          i = e + 3;
          continue;
        }
      } else if (c1 === QUESTION) {
        const e = src.indexOf('?>', i);
        if (e < 0) failAt(src, i, 'The processing instruction must end with "?>".');
        i = e + 2;
        continue;
      }
      if (root && !stack.length) failAt(src, i, 'The markup in the document following the root element must be well-formed.');
      const ne = nameEnd(src, i + 1);
      if (ne < 0) failAt(src, i, 'The markup in the document must be well-formed.');
      const slot = nameSlot(src, i + 1, ne);
      const qname = qnameAt[slot]!;
      i = ne;
      const el: XmlElement = { name: localAt[slot]!, attrs: {}, children: [], text: '' };
      nSeen = 0;
      for (;;) {
        const ws = i;
        while (i < n && isSpace(src.charCodeAt(i))) i++;
        const c = src.charCodeAt(i);
        if (c === GT || (c === SLASH && src.charCodeAt(i + 1) === GT)) break;
        if (i >= n) failAt(src, i, `XML document structures must start and end within the same entity.`);
        if (ws === i) failAt(src, i, `Element type "${qname}" must be followed by either attribute specifications, ">" or "/>".`);
        const ae = nameEnd(src, i);
        if (ae < 0) failAt(src, i, `Element type "${qname}" must be followed by either attribute specifications, ">" or "/>".`);
        const aslot = nameSlot(src, i, ae);
        const aname = qnameAt[aslot]!;
        const alocal = localAt[aslot]!;
        i = ae;
        while (i < n && isSpace(src.charCodeAt(i))) i++;
        if (src.charCodeAt(i) !== EQUALS) failAt(src, i, `Attribute name "${aname}" associated with an element type "${qname}" must be followed by the ' = ' character.`);
        i++;
        while (i < n && isSpace(src.charCodeAt(i))) i++;
        const q = src.charCodeAt(i);
        if (q !== DQUOTE && q !== SQUOTE) failAt(src, i, `Open quote is expected for attribute "${aname}" associated with an element type "${qname}".`);
        // One pass to the closing quote, noting a '<' (refused) and an '&' (to decode).
        let e = i + 1;
        let amp = false;
        for (; e < n; e++) {
          const c = src.charCodeAt(e);
          if (c === q) break;
          if (c === LT) failAt(src, i, `The value of attribute "${aname}" associated with an element type "${qname}" must not contain the '<' character.`);
          if (c === AMP) amp = true;
        }
        if (e >= n) failAt(src, i, `XML document structures must start and end within the same entity.`);
        for (let k = 0; k < nSeen; k++) if (seen[k] === aname) failAt(src, i, `Attribute "${aname}" was already specified for element "${qname}".`);
        seen[nSeen++] = aname;
        if (aname !== 'xmlns' && !aname.startsWith('xmlns:')) el.attrs[alocal] = amp ? decode(src, src.slice(i + 1, e), i) : src.slice(i + 1, e);
        i = e + 1;
      }
      if (cur) cur.children.push(el);
      else root = el;
      if (src.charCodeAt(i) === SLASH) {
        i += 2;
        if (!cur) {
          i = skipMisc(src, i);
          if (i < n) failAt(src, i, 'Content is not allowed in trailing section.');
          return root!;
        }
      } else {
        i++;
        stack.push(el);
        qnames.push(qname);
        cur = el;
      }
      continue;
    }
    const e = src.indexOf('<', i);
    const end = e < 0 ? n : e;
    if (!cur) {
      if (src.slice(i, end).trim()) failAt(src, i, 'Content is not allowed in trailing section.');
    } else cur.text += decode(src, src.slice(i, end), i);
    i = end;
  }
  if (stack.length) failAt(src, i, `XML document structures must start and end within the same entity.`);
  return failAt(src, i, 'Premature end of file.');
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.name === name) return c;
  return undefined;
}
export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

const NEEDS_ESCAPE = /[&<>"]/;
const ESC = /[&<>"]/g;
const ESC_MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
export function esc(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESC, (c) => ESC_MAP[c]!) : s;
}
