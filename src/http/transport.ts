// How a connection's calls leave this process. By default the HTTP client sends them itself (undici);
// a connection configured "through agent group G" is routed here to the hub of the on-premise agents
// (src/agent/hub.ts), which sends each call through an agent beside the ERP and streams the answer
// back. Everything above the wire — auth, rate limits, Retry-After, breaker, error classification —
// stays in the HTTP client and applies to both alike.
import { Readable } from 'node:stream';

export interface TransportRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  /** Safe to repeat when the outcome is unknown (decides what a lost call becomes). */
  idempotent: boolean;
  operation: string;
}

/** What undici's ResponseData offers the HTTP client: status, headers, and a body to read once. */
export interface TransportResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: ResponseBody;
}

export type ResponseBody = Readable & { text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> };

export interface HttpTransport {
  /**
   * Sends one call. Throws a SynclineError the client passes on as is (e.g. HTTP_UNAVAILABLE with
   * `details.outcomeUnknown` when the agent died after taking the call), or any other error, which the
   * client reads as a network failure.
   */
  request(req: TransportRequest): Promise<TransportResponse>;
}

const routes = new Map<string, HttpTransport>();

/** Routes every HTTP client of `connection` in this process through `transport` (undefined: direct again). */
export function routeConnection(connection: string, transport: HttpTransport | undefined): void {
  if (transport) routes.set(connection, transport);
  else routes.delete(connection);
}

export function transportFor(connection: string): HttpTransport | undefined {
  return routes.size === 0 ? undefined : routes.get(connection);
}

/** A readable body with undici's text()/arrayBuffer() helpers, fed by the transport. */
export function responseBody(): ResponseBody {
  const stream = new Readable({ read() {} }) as ResponseBody;
  const collect = async (): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  };
  stream.text = async () => (await collect()).toString('utf8');
  stream.arrayBuffer = async () => {
    const b = await collect();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  return stream;
}
