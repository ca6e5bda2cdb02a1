// Shared by the tracking-number operations: a call to the legacy REST API add-on (XC\RESTAPI,
// 5.0–5.4.1; specs §1.5): admin.php?target=RESTAPI&_key=<key>&_path=<entity>[/<id>], input as
// form-urlencoded `model[...]` fields, reason for a refusal in the X-REST-Error header.
import type { z } from 'zod';
import { userError } from '../../../core/errors.js';
import { parseResponse, type XcartClient } from '../client.js';

export async function legacyCall<S extends z.ZodType>(
  client: XcartClient,
  req: { operation: string; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; model?: Record<string, string> },
  schema: S,
): Promise<z.output<S>> {
  if (client.config.trackingModule !== 'legacy-rest') {
    // A stock 5.5 store cannot take a tracking number over any API: say so, send nothing. The flow
    // reports "shipping status set, tracking not written" instead of failing the shipment.
    throw userError('XCART_NO_TRACKING_API', `${req.operation}: this X-Cart store has no tracking API (X-Cart 5.5 has none; the connection declares no tracking module): tracking number not written`, {
      details: { operation: req.operation, trackingModule: client.config.trackingModule ?? 'none', hint: "set trackingModule: 'legacy-rest' (with legacyKey) if the store runs the 5.4 REST API module" },
    });
  }
  const key = client.config.legacyKey;
  if (!key) {
    throw userError('XCART_LEGACY_API_ERROR', `${req.operation} needs the legacy REST API key (connection setting legacyKey): X-Cart 5.5's own API cannot write tracking numbers`, {
      details: { operation: req.operation },
    });
  }
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(req.model ?? {})) form.set(`model${k.split('.').map((p) => `[${p}]`).join('')}`, v);
  const res = await client.http.request({
    operation: req.operation,
    method: req.method,
    path: 'admin.php',
    query: { target: 'RESTAPI', _key: key, _path: req.path },
    ...(req.model ? { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } } : { headers: { accept: 'application/json' } }),
  });
  return parseResponse(schema, res.body, req.operation);
}
