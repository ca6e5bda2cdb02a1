// A plain CodeMirror 6 editor for a mapping spec (YAML text; no YAML grammar is installed).
import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';

export function TextEditor({ value, onChange, label, readOnly }: { value: string; onChange: (text: string) => void; label: string; readOnly?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [basicSetup, EditorState.readOnly.of(Boolean(readOnly)), EditorView.contentAttributes.of({ 'aria-label': label }), EditorView.updateListener.of((u) => u.docChanged && latest.current(u.state.doc.toString()))],
      }),
    });
    return () => v.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return <div className="editor" ref={host} />;
}
