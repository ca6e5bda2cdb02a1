// The strict XML reader (X3 sandbox and connector): what it accepts it reads exactly as a general parser writes it, and
// what is malformed it refuses with a position, as Axis's SAX parser does.
import fc from 'fast-check';
import { XMLBuilder } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml.js';

describe('parseXml', () => {
  it('reads prefixes, attributes, entities, character references, CDATA and comments', () => {
    const el = parseXml(`<?xml version="1.0"?><!-- hi --><s:E xmlns:s="u" s:a="1 &amp; 2"><s:B x='&lt;&#65;&#x42;'>t&gt;<![CDATA[<raw>&amp;]]><c/></s:B></s:E>`);
    expect(el.name).toBe('E');
    expect(el.attrs).toEqual({ a: '1 & 2' });
    const b = el.children[0]!;
    expect(b.attrs.x).toBe('<AB');
    expect(b.text).toBe('t><raw>&amp;');
    expect(b.children.map((c) => c.name)).toEqual(['c']);
  });

  const bad: Array<[string, RegExp]> = [
    ['<a><b></a>', /must be terminated by the matching end-tag/],
    ['<a>', /same entity/],
    ['<a x=1/>', /Open quote is expected/],
    ['<a x="1" x="2"/>', /already specified/],
    ['<a>&nope;</a>', /was referenced, but not declared/],
    ['<!DOCTYPE a><a/>', /DOCTYPE is disallowed/],
    ['<a/><b/>', /trailing section/],
    ['hello', /Content is not allowed in prolog/],
    ['', /Premature end of file/],
    ['<a x="1"y="2"/>', /must be followed by either attribute specifications/],
  ];
  it.each(bad)('refuses %s', (src, re) => {
    let err: unknown;
    try {
      parseXml(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlSyntaxError);
    expect((err as Error).message).toMatch(re);
    expect((err as XmlSyntaxError).line).toBeGreaterThanOrEqual(1);
  });

  it('round-trips any tree a general XML writer produces', () => {
    type T = { name: string; attrs: Record<string, string>; text: string; children: T[] };
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
    const textArb = fc.string({ maxLength: 12 }).filter((s) => s.trim() === s && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/.test(s));
    const node = (depth: number): fc.Arbitrary<T> =>
      fc.record({
        name,
        attrs: fc.dictionary(name, textArb, { maxKeys: 3 }),
        text: textArb,
        children: depth === 0 ? fc.constant([]) : fc.array(node(depth - 1), { maxLength: 3 }),
      });
    const tree = node(3);
    const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, suppressBooleanAttributes: false });
    const toObj = (t: T): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(t.attrs)) o[`@_${k}`] = v;
      if (t.text) o['#text'] = t.text;
      for (const c of t.children) ((o[c.name] ??= []) as unknown[]).push(toObj(c));
      return o;
    };
    // The writer groups children by name, so compare against the grouped order.
    const normal = (t: T): T => {
      const order: string[] = [];
      for (const c of t.children) if (!order.includes(c.name)) order.push(c.name);
      return { ...t, children: order.flatMap((n) => t.children.filter((c) => c.name === n)).map(normal) };
    };
    const strip = (e: XmlElement): T => ({ name: e.name, attrs: e.attrs, text: e.text, children: e.children.map(strip) });
    fc.assert(
      fc.property(tree, (t) => {
        const xml = builder.build({ [t.name]: toObj(t) }) as string;
        expect(strip(parseXml(xml))).toEqual(normal(t));
      }),
      { numRuns: 300 },
    );
  });
});
