// A proxy in front of an ERP sandbox for the unknown-outcome tests (issue 10): of the requests
// `createKind` names (a create of some kind, or undefined), every 10th of each kind is held `holdMs`
// before it is forwarded (the client has given up; the ERP commits it later) and another every 10th
// is forwarded and its answer dropped after the ERP saved the record. Everything else passes through.
// `holdMs` may differ per kind (a flow whose retry runs slow steps before its look-up needs a longer
// hold for the look-up to come before the held request lands).
import http from 'node:http';
import { request } from 'undici';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FaultyProxy {
  url: string;
  /** Per create kind: how many were held past the timeout, how many answers were dropped, and the ERP's answers by HTTP status (dropped ones too). */
  stats: Record<string, { creates: number; held: number; dropped: number; statuses: Record<number, number> }>;
  close(): Promise<void>;
}

export function faultyProxy(target: string, holdMs: number | Record<string, number>, createKind: (method: string, url: string, body: string) => string | undefined): Promise<FaultyProxy> {
  const stats: FaultyProxy['stats'] = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const kind = createKind(req.method ?? 'GET', req.url ?? '', body.toString('utf8'));
      const s = kind ? (stats[kind] ??= { creates: 0, held: 0, dropped: 0, statuses: {} }) : undefined;
      const n = s ? s.creates++ : -1;
      const hold = s !== undefined && n % 10 === 3;
      const drop = s !== undefined && n % 10 === 7;
      if (hold) {
        s.held++;
        await sleep(typeof holdMs === 'number' ? holdMs : (holdMs[kind!] ?? 0)); // the client has given up; the ERP gets the request only now
      }
      const headers = { ...req.headers } as Record<string, string>;
      delete headers.host;
      delete headers['content-length'];
      try {
        const up = await request(`${target}${req.url}`, { method: req.method as 'POST', headers, body: chunks.length ? body : undefined });
        const answer = Buffer.from(await up.body.arrayBuffer());
        if (s) s.statuses[up.statusCode] = (s.statuses[up.statusCode] ?? 0) + 1;
        if (drop) {
          s.dropped++;
          req.socket.destroy(); // the ERP saved it; the answer never arrives
          return;
        }
        if (res.destroyed) return;
        res.writeHead(up.statusCode, Object.fromEntries(Object.entries(up.headers).filter(([k]) => !['transfer-encoding', 'connection', 'content-length'].includes(k))) as http.OutgoingHttpHeaders);
        res.end(answer);
      } catch {
        req.socket.destroy();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${port}`, stats, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    }),
  );
}
