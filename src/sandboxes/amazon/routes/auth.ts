// Login with Amazon token endpoint and the Tokens API (Restricted Data Tokens).
// LWA: https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api
// Tokens: https://developer-docs.amazon.com/sp-api/docs/tokens-api-v2021-03-01-reference
import type { FastifyInstance } from 'fastify';
import type { AmazonSandbox, RestrictedResource } from '../context.js';
import { invalidInput, parseBody, spRoute } from '../http.js';

const lwaError = (error: string, description: string) => ({ error, error_description: description });

/** Restricted operations and the data elements each accepts (Tokens API model and PII docs). */
const RESTRICTED: Array<{ re: RegExp; elements: string[] }> = [
  { re: /^\/orders\/v0\/orders$/, elements: ['buyerInfo', 'shippingAddress', 'buyerTaxInformation'] },
  { re: /^\/orders\/v0\/orders\/[^/]+$/, elements: ['buyerInfo', 'shippingAddress', 'buyerTaxInformation'] },
  { re: /^\/orders\/v0\/orders\/[^/]+\/orderItems$/, elements: ['buyerInfo'] },
  { re: /^\/orders\/v0\/orders\/[^/]+\/orderItems\/buyerInfo$/, elements: [] },
  { re: /^\/orders\/v0\/orders\/[^/]+\/address$/, elements: [] },
  { re: /^\/orders\/v0\/orders\/[^/]+\/buyerInfo$/, elements: [] },
  { re: /^\/fba\/outbound\/2020-07-01\/fulfillmentOrders\/[^/]+$/, elements: [] },
];

export function registerAuth(app: FastifyInstance, sb: AmazonSandbox): void {
  app.post('/auth/o2/token', async (req, reply) => {
    // The JS SDK posts a form, the Java client JSON: both are accepted, as Amazon does.
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, string | undefined>;
    const grant = body.grant_type;
    if (!grant) return reply.code(400).send(lwaError('invalid_request', 'The request is missing a required parameter : grant_type'));
    if (grant !== 'refresh_token' && grant !== 'client_credentials') {
      return reply.code(400).send(lwaError('unsupported_grant_type', `The authorization grant type is not supported by the authorization server: ${grant}`));
    }
    if (!body.client_id || !body.client_secret) return reply.code(400).send(lwaError('invalid_request', 'The request is missing a required parameter : client_id'));
    if (body.client_id !== sb.creds.clientId || body.client_secret !== sb.creds.clientSecret) {
      return reply.code(401).send(lwaError('invalid_client', 'Client authentication failed'));
    }
    if (grant === 'client_credentials') {
      if (body.scope !== 'sellingpartnerapi::notifications' && body.scope !== 'sellingpartnerapi::client_credential:rotation') {
        return reply.code(400).send(lwaError('invalid_scope', 'The request has an invalid parameter : scope'));
      }
      const t = sb.issueToken('grantless', sb.creds.tokenTtlS);
      return { access_token: t.value, scope: body.scope, token_type: 'bearer', expires_in: sb.creds.tokenTtlS };
    }
    if (!body.refresh_token) return reply.code(400).send(lwaError('invalid_request', 'The request is missing a required parameter : refresh_token'));
    if (body.refresh_token !== sb.creds.refreshToken) return reply.code(400).send(lwaError('invalid_grant', 'The request has an invalid grant parameter : refresh_token'));
    const t = sb.issueToken('lwa', sb.creds.tokenTtlS);
    return { access_token: t.value, refresh_token: sb.creds.refreshToken, token_type: 'bearer', expires_in: sb.creds.tokenTtlS };
  });

  spRoute(app, sb, 'POST', '/tokens/2021-03-01/restrictedDataToken', 'createRestrictedDataToken', ({ req, token }) => {
    if (token.kind !== 'lwa') throw invalidInput('A Restricted Data Token cannot be used to request another one.');
    const body = parseBody(req);
    const resources = body.restrictedResources;
    if (!Array.isArray(resources) || resources.length === 0) throw invalidInput('restrictedResources is required and must not be empty.');
    const out: RestrictedResource[] = [];
    const denied = new Set<string>();
    for (const r of resources as Array<Record<string, unknown>>) {
      if (typeof r !== 'object' || r === null || typeof r.path !== 'string' || typeof r.method !== 'string') throw invalidInput('Each restricted resource needs a method and a path.');
      if (!['GET', 'PUT', 'POST', 'DELETE'].includes(r.method)) throw invalidInput(`Invalid method: ${r.method}`);
      const rule = RESTRICTED.find((x) => x.re.test(String(r.path)));
      if (!rule) throw invalidInput(`Invalid restricted resource path: ${r.path}. The path is not a restricted operation.`);
      const elements = r.dataElements === undefined ? [] : r.dataElements;
      if (!Array.isArray(elements)) throw invalidInput('dataElements must be an array.');
      for (const el of elements as string[]) if (!rule.elements.includes(el)) denied.add(el);
      out.push({ method: r.method, path: r.path, dataElements: elements as string[] });
    }
    if (denied.size) throw invalidInput(`Application does not have access to one or more requested data elements: [${[...denied].join(', ')}]`);
    const rdt = sb.issueToken('rdt', 3600, out);
    return { restrictedDataToken: rdt.value, expiresIn: 3600 };
  });
}

