// A CodeMirror 6 editor for one JSONata expression: highlighting (a small stream grammar: no JSONata
// grammar package is maintained for CodeMirror 6) and completion of the source record's field paths,
// the mapping's `let` variables, JSONata's built-in functions and the mapping engine's own ($table …).
import { useEffect, useRef } from 'react';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { autocompletion, closeBrackets, completionKeymap, type Completion, type CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';

/** JSONata 2.x built-in functions (docs.jsonata.org). */
export const JSONATA_FUNCTIONS = [
  'string', 'length', 'substring', 'substringBefore', 'substringAfter', 'uppercase', 'lowercase', 'trim', 'pad', 'contains', 'split', 'join', 'match', 'replace', 'eval', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl',
  'number', 'abs', 'floor', 'ceil', 'round', 'power', 'sqrt', 'random', 'formatNumber', 'formatBase', 'formatInteger', 'parseInteger',
  'sum', 'max', 'min', 'average', 'boolean', 'not', 'exists', 'count', 'append', 'sort', 'reverse', 'shuffle', 'distinct', 'zip',
  'keys', 'lookup', 'spread', 'merge', 'sift', 'each', 'error', 'assert', 'type', 'map', 'filter', 'single', 'reduce',
  'now', 'millis', 'fromMillis', 'toMillis',
];

const KEYWORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** Tokens: strings, numbers, $functions and $variables, keywords, `backquoted` names, operators. */
const jsonata = StreamLanguage.define<{ comment: boolean }>({
  name: 'jsonata',
  startState: () => ({ comment: false }),
  token(stream, state) {
    if (state.comment) {
      if (stream.skipTo('*/')) {
        stream.next();
        stream.next();
        state.comment = false;
      } else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('/*')) {
      state.comment = true;
      return 'comment';
    }
    const ch = stream.peek()!;
    if (ch === '"' || ch === "'") {
      stream.next();
      let escaped = false;
      for (let c = stream.next(); c !== undefined; c = stream.next()) {
        if (c === ch && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      return 'string';
    }
    if (ch === '`') {
      stream.next();
      stream.skipTo('`');
      stream.next();
      return 'propertyName';
    }
    if (stream.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/)) return 'number';
    if (stream.match(/^\$\$?[A-Za-z_][\w]*(?=\s*\()/)) return 'function';
    if (stream.match(/^\$\$?[A-Za-z_]?[\w]*/)) return 'variableName';
    if (stream.match(/^[A-Za-z_][\w]*/)) return KEYWORDS.has(stream.current()) ? 'keyword' : 'propertyName';
    if (stream.match(/^(:=|!=|<=|>=|~>|\?\?|\?:|\.\.|[-+*/%=<>&!?:.,;|^@#~])/)) return 'operator';
    stream.next();
    return 'bracket';
  },
  languageData: { commentTokens: { block: { open: '/*', close: '*/' } } },
});

export interface JsonataVocabulary {
  /** Source field paths (`items[].sku` is offered as `items.sku`). */
  fields: string[];
  /** The mapping engine's own functions, without `$`. */
  functions: string[];
  /** The spec's `let` names, without `$`. */
  variables: string[];
}

export function jsonataCompletions(vocab: JsonataVocabulary) {
  const fn = (name: string, own: boolean): Completion => ({ label: `$${name}`, type: 'function', detail: own ? 'Syncline' : 'JSONata', apply: `$${name}(` });
  const dollar: Completion[] = [
    ...vocab.variables.map((v) => ({ label: `$${v}`, type: 'variable', detail: 'let' })),
    { label: '$options', type: 'variable', detail: 'mapping options' },
    ...vocab.functions.map((f) => fn(f, true)),
    ...JSONATA_FUNCTIONS.filter((f) => !vocab.functions.includes(f)).map((f) => fn(f, false)),
  ];
  const paths = [...new Set(vocab.fields.map((p) => p.replace(/\[\]/g, '')))];
  const fieldOptions: Completion[] = paths.map((p) => ({ label: p, type: 'property', detail: 'source field' }));
  return (ctx: CompletionContext) => {
    const d = ctx.matchBefore(/\$\$?[\w]*/);
    if (d) return { from: d.from, options: dollar, validFor: /^\$\$?[\w]*$/ };
    const w = ctx.matchBefore(/[A-Za-z_][\w.]*/);
    if (!w && !ctx.explicit) return null;
    return { from: w ? w.from : ctx.pos, options: fieldOptions, validFor: /^[\w.]*$/ };
  };
}

export function JsonataEditor({ value, onChange, label, vocab, readOnly }: { value: string; onChange: (text: string) => void; label: string; vocab: JsonataVocabulary; readOnly?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          jsonata,
          syntaxHighlighting(defaultHighlightStyle),
          autocompletion({ override: [jsonataCompletions(vocab)], activateOnTyping: true }),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          placeholderExt('e.g. $truncate(order_number, 22)'),
          EditorState.readOnly.of(Boolean(readOnly)),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => u.docChanged && latest.current(u.state.doc.toString())),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [label, readOnly, vocab]);
  // An outside change (another target field chosen, a drop) replaces the text without a new editor.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);
  return <div className="editor expr-editor" ref={host} />;
}
