import { useMemo } from 'react';
import { ReactFlow, Background, Controls, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { qs, type Role } from '../api';
import { useApi } from '../hooks';
import { ErrorBox, Loading, Page } from '../components/common';
import { Link } from '../router';

interface Flow { id: string; description: string; source: { system: string; entity: string }; target: { system: string; entity: string }; connection: string | null; maxAttempts: number | null; steps: string[] }

export function Flows() {
  const { data, error } = useApi<{ flows: Flow[] }>('/flows');
  return (
    <Page title="Flows">
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">flow</th><th scope="col">from</th><th scope="col">to</th><th scope="col">steps</th><th scope="col">connection</th></tr></thead>
          <tbody>
            {data.flows.map((f) => (
              <tr key={f.id}>
                <td><Link href={`/flows/${encodeURIComponent(f.id)}`}>{f.id}</Link><div className="muted small">{f.description}</div></td>
                <td>{f.source.system} {f.source.entity}</td>
                <td>{f.target.system} {f.target.entity}</td>
                <td>{f.steps.join(' → ')}</td>
                <td>{f.connection ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

/** A flow drawn as a graph: trigger → steps → target. */
export function FlowDetail({ id }: { id: string; role: Role }) {
  const { data, error } = useApi<{ flows: Flow[] }>('/flows');
  const flow = data?.flows.find((f) => f.id === id);
  const { nodes, edges } = useMemo(() => {
    if (!flow) return { nodes: [] as Node[], edges: [] as Edge[] };
    const chain = [
      { id: 'trigger', label: `trigger: ${flow.source.system} ${flow.source.entity}${flow.connection ? ` (${flow.connection})` : ''}`, kind: 'trigger' },
      ...flow.steps.map((s, i) => ({ id: `s${i}`, label: s, kind: 'step' })),
      { id: 'target', label: `${flow.target.system} ${flow.target.entity}`, kind: 'target' },
    ];
    return {
      nodes: chain.map((c, i): Node => ({ id: c.id, position: { x: 40 + i * 220, y: 60 + (i % 2) * 40 }, data: { label: c.label }, className: `node-${c.kind}`, draggable: false })),
      edges: chain.slice(1).map((c, i): Edge => ({ id: `e${i}`, source: chain[i]!.id, target: c.id, animated: true })),
    };
  }, [flow]);
  if (error) return <Page title={`Flow ${id}`}><ErrorBox error={error} /></Page>;
  if (!data) return <Page title={`Flow ${id}`}><Loading /></Page>;
  if (!flow) return <Page title={`Flow ${id}`}><p>No flow <code>{id}</code> runs on this engine. <Link href="/flows">All flows</Link>.</p></Page>;
  return (
    <Page title={`Flow ${id}`}>
      <p>{flow.description}</p>
      <dl className="facts">
        <div><dt>from</dt><dd>{flow.source.system} {flow.source.entity}</dd></div>
        <div><dt>to</dt><dd>{flow.target.system} {flow.target.entity}</dd></div>
        <div><dt>attempts</dt><dd>{flow.maxAttempts ?? 'default'}</dd></div>
        <div><dt>history</dt><dd><Link href={`/runs${qs({ flow: flow.id })}`}>runs</Link> · <Link href={`/dead-letters${qs({ flow: flow.id })}`}>dead letters</Link></dd></div>
      </dl>
      <div className="flow-graph" role="img" aria-label={`Graph of ${flow.id}: ${['trigger', ...flow.steps, 'target'].join(', then ')}`}>
        <ReactFlow nodes={nodes} edges={edges} fitView nodesConnectable={false} elementsSelectable={false} proOptions={{ hideAttribution: true }}>
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </Page>
  );
}
