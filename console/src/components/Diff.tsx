// Side-by-side diff of two texts (CodeMirror's merge view), read-only.
import { useEffect, useRef } from 'react';
import { MergeView } from '@codemirror/merge';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { json } from '@codemirror/lang-json';

export function Diff({ a, b, label }: { a: string; b: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const ext = [basicSetup, json(), EditorState.readOnly.of(true), EditorView.editable.of(false)];
    const view = new MergeView({ a: { doc: a, extensions: ext }, b: { doc: b, extensions: ext }, parent: host.current!, collapseUnchanged: { margin: 3, minSize: 6 } });
    return () => view.destroy();
  }, [a, b]);
  return <div className="diff" ref={host} role="region" aria-label={label} />;
}
