import { useEffect, useState } from 'react';
import { CategoryScale, Chart as ChartJS, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip, BarElement } from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';
import { api, ApiError, get, roleAllows, type Dashboard as Dash, type Point, type Role } from '../api';
import { ErrorBox, Loading, Page, Status } from '../components/common';
import { Link } from '../router';

ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, Filler, Legend, Tooltip);

/** The dashboard: one snapshot at once, then a new one every 2 s over Server-Sent Events. */
export function Dashboard({ role }: { role: Role }) {
  const [dash, setDash] = useState<Dash>();
  const [error, setError] = useState<Error>();
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [range, setRange] = useState<'hour' | 'day'>('hour');
  const [reconciling, setReconciling] = useState<string>();
  const [recError, setRecError] = useState<ApiError>();
  const reconcile = async (pair: string) => {
    setReconciling(pair);
    setRecError(undefined);
    try {
      await api('POST', `/reconciliations/${pair}`);
      setDash(await get<Dash>('/dashboard'));
    } catch (e) {
      setRecError(e as ApiError);
    } finally {
      setReconciling(undefined);
    }
  };
  useEffect(() => {
    get<Dash>('/dashboard').then(setDash, setError);
    const es = new EventSource('/api/stream');
    es.addEventListener('dashboard', (e) => {
      setDash(JSON.parse((e as MessageEvent).data) as Dash);
      setLive('live');
    });
    es.onerror = () => setLive('reconnecting');
    return () => es.close();
  }, []);
  if (error) return <Page title="Dashboard"><ErrorBox error={error} /></Page>;
  if (!dash) return <Page title="Dashboard"><Loading /></Page>;
  const series = range === 'hour' ? dash.lastHour : dash.lastDay;
  return (
    <Page title="Dashboard" actions={<span className={`live ${live}`} aria-live="polite">{live === 'live' ? '● live' : live === 'connecting' ? 'connecting…' : 'reconnecting…'}</span>}>
      <section aria-labelledby="h-conn">
        <h2 id="h-conn">Connections</h2>
        <div className="cards">
          {dash.connections.map((c) => (
            <Link key={c.id} href={`/connections/${encodeURIComponent(c.id)}`} className="card conn-card">
              <div className="card-title">{c.id} <span className="muted">{c.system}</span></div>
              <div><Status value={c.status} /> <span className="muted">circuit {c.circuit}</span></div>
              <div className="muted small">{c.failuresLast5m} failures in 5 min{c.lastError ? ` · last: ${c.lastError.code}` : ''}</div>
              {c.rateLimit ? (
                <div className="small headroom" title={c.rateLimit.buckets.map((b) => `${b.operation}: ${b.tokens}/${b.burst} (${b.ratePerSec}/s)`).join('\n')}>
                  rate-limit headroom <meter min={0} max={100} low={20} high={50} optimum={100} value={c.rateLimit.minHeadroomPct} aria-label={`rate-limit headroom of ${c.id}`} /> {c.rateLimit.minHeadroomPct} %
                  <span className="muted"> (tightest of {c.rateLimit.buckets.length}: {c.rateLimit.buckets[0]!.operation})</span>
                </div>
              ) : <div className="muted small">no rate limit</div>}
            </Link>
          ))}
        </div>
      </section>
      <div className="grid2">
        <section aria-labelledby="h-queue">
          <h2 id="h-queue">Queue</h2>
          <dl className="stats">
            <div><dt>queued</dt><dd data-testid="queued">{dash.queue.totals.queued ?? 0}</dd></div>
            <div><dt>running</dt><dd>{dash.queue.totals.running ?? 0}</dd></div>
            {dash.queue.totals.paused ? <div><dt>paused (disabled flows)</dt><dd>{dash.queue.totals.paused}</dd></div> : null}
            <div><dt>dead letters</dt><dd><Link href="/dead-letters" data-testid="dead">{dash.queue.totals.dead ?? 0}</Link></dd></div>
          </dl>
        </section>
        <section aria-labelledby="h-dl">
          <h2 id="h-dl">Dead letters by class</h2>
          {dash.deadLettersByClass.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <table>
              <thead><tr><th scope="col">kind</th><th scope="col">code</th><th scope="col" className="num">count</th></tr></thead>
              <tbody>
                {dash.deadLettersByClass.map((d) => (
                  <tr key={d.kind + d.code}><td>{d.kind}</td><td><Link href={`/dead-letters?code=${encodeURIComponent(d.code)}`}><code>{d.code}</code></Link></td><td className="num">{d.count}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <section aria-labelledby="h-flows">
        <div className="section-head">
          <h2 id="h-flows">Flows</h2>
          <div role="group" aria-label="Time range" className="seg">
            <button type="button" aria-pressed={range === 'hour'} onClick={() => setRange('hour')}>Last hour</button>
            <button type="button" aria-pressed={range === 'day'} onClick={() => setRange('day')}>Last day</button>
          </div>
        </div>
        {dash.flows.map((f) => (
          <FlowCharts key={f.id} id={f.id} description={f.description} points={series[f.id] ?? []} range={range} />
        ))}
      </section>
      <section aria-labelledby="h-rec">
        <h2 id="h-rec">Reconciliation</h2>
        {dash.reconciliation.length === 0 ? <p className="muted">This deployment has no pair to reconcile (a pair needs one connection of each system).</p> : (
          <table>
            <thead><tr><th scope="col">pair</th><th scope="col">status</th><th scope="col" className="num">differences</th><th scope="col">last run</th><th scope="col">compared</th>{roleAllows(role, 'operator') ? <th scope="col"><span className="sr-only">actions</span></th> : null}</tr></thead>
            <tbody>
              {dash.reconciliation.map((r) => (
                <tr key={r.pair}>
                  <td>{r.pair}</td>
                  <td><Status value={reconciling === r.pair ? 'running' : r.status} /></td>
                  <td className="num">{r.at ? r.differenceCount : '—'}</td>
                  <td>{r.at ? `${new Date(r.at).toLocaleString()} by ${r.by} (${((r.durationMs ?? 0) / 1000).toFixed(1)} s)` : '—'}</td>
                  <td className="small">{r.error ?? r.summary ?? ''}</td>
                  {roleAllows(role, 'operator') ? <td><button type="button" disabled={reconciling !== undefined} onClick={() => reconcile(r.pair)}>Reconcile now</button></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ErrorBox error={recError} />
      </section>
      <p className="muted small">Updated {new Date(dash.at).toLocaleTimeString()}</p>
    </Page>
  );
}

function FlowCharts({ id, description, points, range }: { id: string; description: string; points: Point[]; range: 'hour' | 'day' }) {
  const labels = points.map((p) => new Date(p.t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  const total = points.reduce((a, p) => a + p.ok + p.failed, 0);
  const failed = points.reduce((a, p) => a + p.failed, 0);
  const per = range === 'hour' ? 'minute' : 'hour';
  const common = { responsive: true, maintainAspectRatio: false, animation: false as const, plugins: { legend: { position: 'bottom' as const } }, scales: { x: { ticks: { maxTicksLimit: 8 } }, y: { beginAtZero: true } } };
  return (
    <article className="flow-block">
      <h3><Link href={`/flows/${encodeURIComponent(id)}`}>{id}</Link> <span className="muted small">{description}</span></h3>
      <p className="small">
        {total} runs, {failed} failed ({total ? ((failed / total) * 100).toFixed(1) : '0.0'} % error rate) in the last {range} ·{' '}
        <Link href={`/runs?flow=${encodeURIComponent(id)}`}>runs</Link>
      </p>
      <div className="charts">
        <figure>
          <figcaption>Runs per {per}</figcaption>
          <div className="chart"><Bar aria-label={`Runs per ${per} of ${id}`} role="img" options={{ ...common, scales: { ...common.scales, x: { ...common.scales.x, stacked: true }, y: { beginAtZero: true, stacked: true } } }} data={{ labels, datasets: [{ label: 'delivered', data: points.map((p) => p.ok), backgroundColor: '#2e7d32' }, { label: 'failed', data: points.map((p) => p.failed), backgroundColor: '#c62828' }] }} /></div>
        </figure>
        <figure>
          <figcaption>Latency, event received → delivered (ms)</figcaption>
          <div className="chart"><Line aria-label={`Latency of ${id}`} role="img" options={common} data={{ labels, datasets: [{ label: 'mean', data: points.map((p) => p.p50Ms), borderColor: '#1565c0', backgroundColor: '#1565c0', spanGaps: true, pointRadius: 0 }, { label: 'max', data: points.map((p) => p.maxMs), borderColor: '#ef6c00', backgroundColor: '#ef6c00', spanGaps: true, pointRadius: 0 }] }} /></div>
        </figure>
        <figure>
          <figcaption>Error rate (%)</figcaption>
          <div className="chart"><Line aria-label={`Error rate of ${id}`} role="img" options={{ ...common, scales: { ...common.scales, y: { beginAtZero: true, suggestedMax: 5 } } }} data={{ labels, datasets: [{ label: 'failed / runs', data: points.map((p) => (p.ok + p.failed ? (p.failed / (p.ok + p.failed)) * 100 : null)), borderColor: '#c62828', backgroundColor: '#c62828', spanGaps: true, pointRadius: 0 }] }} /></div>
        </figure>
      </div>
    </article>
  );
}
