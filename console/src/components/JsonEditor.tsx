// A JSON editor (CodeMirror 6) that validates as you type: syntax errors and the caller's own
// checks appear as lint marks in the text and as a list under it.
import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';

export function JsonEditor({ value, onChange, check, label, readOnly }: { value: string; onChange: (text: string, problems: string[]) => void; check?: (parsed: unknown) => string[]; label: string; readOnly?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, check });
  latest.current = { onChange, check };

  useEffect(() => {
    const syntax = jsonParseLinter();
    const problemsOf = (v: EditorView): { diags: Diagnostic[]; messages: string[] } => {
      const diags = syntax(v);
      if (diags.length) return { diags, messages: diags.map((d) => `JSON syntax: ${d.message}`) };
      const extra = latest.current.check?.(JSON.parse(v.state.doc.toString())) ?? [];
      return { diags: extra.map((m) => ({ from: 0, to: Math.min(1, v.state.doc.length), severity: 'error' as const, message: m })), messages: extra };
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          json(),
          lintGutter(),
          linter((v) => problemsOf(v).diags, { delay: 150 }),
          EditorState.readOnly.of(Boolean(readOnly)),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString(), problemsOf(u.view).messages);
          }),
        ],
      }),
    });
    view.current = v;
    latest.current.onChange(value, problemsOf(v).messages);
    return () => v.destroy();
    // The editor owns the text once created; a new `value` from outside replaces it below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div className="editor" ref={host} />;
}
