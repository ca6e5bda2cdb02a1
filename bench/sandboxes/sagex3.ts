// Sage X3 sandbox throughput: SOAP `save` of a two-line sales order, faults off, pool wide enough not
// to queue. Measured twice: raw envelopes over keep-alive HTTP (the sandbox alone), and through the
// connector (envelope building, parsing and classification included). Client and sandbox share one
// Node process here, so the figures are a floor for the sandbox; the per-CPU-second figure charges
// the client's work to the sandbox too.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import type { Figure } from '../run.js';
import { generateCatalog } from '../../src/sandboxes/shared/catalog.js';
import { start, SOAP_PATH } from '../../src/sandboxes/sagex3/index.js';
import { SageX3Client } from '../../src/connectors/sagex3/client.js';
import { save } from '../../src/connectors/sagex3/operations/save.js';

const CONCURRENCY = 32;

function envelope(ref: string, item1: string, item2: string): string {
  const payload = `<PARAM><GRP ID="SOH0_1"><FLD NAME="SALFCY">US011</FLD><FLD NAME="CUSORDREF">${ref}</FLD><FLD NAME="BPCORD">C00001</FLD></GRP><TAB ID="SOH4_1"><LIN><FLD NAME="ITMREF">${item1}</FLD><FLD NAME="QTY">1</FLD></LIN><LIN><FLD NAME="ITMREF">${item2}</FLD><FLD NAME="QTY">2</FLD><FLD NAME="GROPRI">9.95</FLD></LIN></TAB></PARAM>`;
  return `<soapenv:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wss="http://www.adonix.com/WSS"><soapenv:Header/><soapenv:Body><wss:save soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><callContext xsi:type="wss:CAdxCallContext"><codeLang xsi:type="xsd:string">ENG</codeLang><poolAlias xsi:type="xsd:string">SYNCLINE</poolAlias><poolId xsi:type="xsd:string"></poolId><requestConfig xsi:type="xsd:string"><![CDATA[adxwss.optreturn=XML]]></requestConfig></callContext><publicName xsi:type="xsd:string">WSSOH</publicName><objectXml xsi:type="xsd:string"><![CDATA[${payload}]]></objectXml></wss:save></soapenv:Body></soapenv:Envelope>`;
}

async function timed(total: number, one: (i: number) => Promise<void>): Promise<{ perSecond: number; perCpuSecond: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      await one(i);
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return { perSecond: total / secs, perCpuSecond: total / ((cpu.user + cpu.system) / 1e6), p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
}

/** CPU seconds a process has used so far (Linux /proc; utime + stime in clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The sandbox alone in its own process, started as a user would (`syncline sandbox sagex3`). */
async function separateProcess(total: number): Promise<{ perSecond: number; perSandboxCpuSecond: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/syncline.js');
  const child = spawn(process.execPath, [bin, 'sandbox', 'sagex3', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    });
    const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
    const auth = `Basic ${Buffer.from('SYNCLINE:x3-sandbox').toString('base64')}`;
    // The CLI seeds with 1: the same catalog the sandbox starts from.
    const items = generateCatalog(1).items.map((i) => i.itemNo);
    let failures = 0;
    const one = async (i: number) => {
      const res = await request(`${url}${SOAP_PATH}`, { method: 'POST', dispatcher: agent, headers: { authorization: auth, 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body: envelope(`SEP-${i}`, items[0]!, items[1]!) });
      const text = await res.body.text();
      if (res.statusCode !== 200 || !text.includes('<status xsi:type="xsd:int">1</status>')) failures++;
    };
    await timed(300, (i) => one(1_000_000 + i));
    const cpu0 = await cpuSeconds(child.pid!);
    const r = await timed(total, one);
    const cpu = (await cpuSeconds(child.pid!)) - cpu0;
    await agent.close();
    if (failures) throw new Error(`${failures} saves against the separate sandbox did not return status 1`);
    return { perSecond: r.perSecond, perSandboxCpuSecond: total / cpu };
  } finally {
    child.kill('SIGTERM');
  }
}

export default async function bench(): Promise<Figure[]> {
  const sb = await start({ seed: 1, pools: { SYNCLINE: { channels: 64, queueTimeoutMs: 30_000, execMs: 0 } } });
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
  const [item1, item2] = [...sb.state.stores.ITM.keys()];
  const auth = `Basic ${Buffer.from('SYNCLINE:x3-sandbox').toString('base64')}`;
  try {
    let failures = 0;
    const rawOne = async (i: number) => {
      const res = await request(`${sb.url}${SOAP_PATH}`, { method: 'POST', dispatcher: agent, headers: { authorization: auth, 'content-type': 'text/xml; charset=utf-8', soapaction: '""' }, body: envelope(`BENCH-${i}`, item1!, item2!) });
      const text = await res.body.text();
      if (res.statusCode !== 200 || !text.includes('<status xsi:type="xsd:int">1</status>')) failures++;
    };
    await timed(300, (i) => rawOne(1_000_000 + i)); // warm-up
    const raw = await timed(4000, rawOne);

    const client = new SageX3Client({ baseUrl: sb.url, auth: { type: 'basic', user: 'SYNCLINE', password: 'x3-sandbox' }, poolAlias: 'SYNCLINE', maxConcurrent: CONCURRENCY }, { connection: 'bench-x3' });
    const viaConnector = await timed(2000, async (i) => {
      await save.call(client, { object: 'SOH', data: { SALFCY: 'US011', BPCORD: 'C00001', CUSORDREF: `CONN-${i}`, lines: [{ ITMREF: item1!, QTY: '1' }, { ITMREF: item2!, QTY: '2', GROPRI: '9.95' }] } });
    });
    if (failures) throw new Error(`${failures} raw saves did not return status 1`);
    const sep = await separateProcess(4000);
    return [
      ...(sep
        ? [
            { name: 'sagex3 SOAP save, sandbox in its own process', value: Math.round(sep.perSecond), unit: 'calls/s', target: '>= 1000' },
            { name: 'sagex3 SOAP save per sandbox CPU-second (own process)', value: Math.round(sep.perSandboxCpuSecond), unit: 'calls/cpu-s', target: '>= 1000' },
          ]
        : []),
      { name: 'sagex3 SOAP save (SOH, 2 lines), raw envelopes', value: Math.round(raw.perSecond), unit: 'calls/s', target: '>= 1000' },
      // On a shared machine wall-clock throughput depends on the neighbours; CPU time does not.
      { name: 'sagex3 SOAP save per CPU-second (client+sandbox)', value: Math.round(raw.perCpuSecond), unit: 'calls/cpu-s', target: '>= 1000' },
      { name: 'sagex3 SOAP save latency p50 (32 in flight)', value: Number(raw.p50.toFixed(1)), unit: `ms (p99 ${raw.p99.toFixed(1)})` },
      { name: 'sagex3 SOAP save through the connector', value: Math.round(viaConnector.perSecond), unit: 'calls/s' },
      { name: 'sagex3 SOAP save through the connector per CPU-second', value: Math.round(viaConnector.perCpuSecond), unit: 'calls/cpu-s' },
    ];
  } finally {
    await agent.close();
    await sb.close();
  }
}
