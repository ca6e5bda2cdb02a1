// Pre-signed document URLs, standing in for Amazon's S3 buckets: feed uploads (PUT, Content-Type must
// match the one given to createFeedDocument) and report / processing-report downloads (gzip). URLs
// expire after 5 (sandbox) minutes with S3's XML error, as the real ones do.
import { createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AmazonSandbox, StoredDocument } from '../context.js';

const SECRET = randomBytes(16);
const URL_TTL_MS = 5 * 60_000;

const s3Error = (reply: FastifyReply, status: number, code: string, message: string) =>
  reply.code(status).type('application/xml').send(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`);

function sign(id: string, expires: number): string {
  return createHmac('sha256', SECRET).update(`${id}:${expires}`).digest('hex');
}

/** Issues a fresh pre-signed URL for a document (upload or download). */
export function presign(sb: AmazonSandbox, doc: StoredDocument, upload: boolean): string {
  const expires = sb.clock.now() + URL_TTL_MS;
  doc.urlExpiresAt = expires;
  return `${sb.baseUrl}/__documents/${upload ? 'upload/' : ''}${encodeURIComponent(doc.id)}?X-Amz-Expires=300&expires=${expires}&X-Amz-Signature=${sign(doc.id, expires)}`;
}

export function docId(prefix: string): string {
  return `amzn1.tortuga.4.na.${prefix}.${randomBytes(12).toString('hex')}`;
}

export function registerDocuments(app: FastifyInstance, sb: AmazonSandbox): void {
  const check = (reply: FastifyReply, id: string, q: Record<string, string>): StoredDocument | undefined => {
    const doc = sb.documents.get(id);
    const expires = Number(q.expires);
    if (!doc || q['X-Amz-Signature'] !== sign(id, expires)) {
      s3Error(reply, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
      return undefined;
    }
    if (sb.clock.now() > expires) {
      s3Error(reply, 403, 'AccessDenied', 'Request has expired');
      return undefined;
    }
    return doc;
  };

  // Uploads take any bytes, whatever the Content-Type; parsing is the feed processor's job.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 100 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.put('/__documents/upload/:id', async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const doc = check(reply, id, req.query as Record<string, string>);
      if (!doc) return reply;
      const ct = String(req.headers['content-type'] ?? '');
      // S3 signs the Content-Type into the URL: a different one fails the signature check.
      if (ct.replace(/\s+/g, '').toLowerCase() !== doc.contentType.replace(/\s+/g, '').toLowerCase()) {
        return s3Error(reply, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
      }
      doc.content = Buffer.isBuffer(req.body) ? req.body : Buffer.from(String(req.body ?? ''));
      return reply.code(200).header('etag', `"${randomBytes(16).toString('hex')}"`).send('');
    });
  });

  app.get('/__documents/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const doc = check(reply, id, req.query as Record<string, string>);
    if (!doc) return reply;
    reply.header('content-type', doc.gzip ? 'application/octet-stream' : doc.contentType);
    if (doc.producer) {
      const src = Readable.from(doc.producer());
      return reply.send(doc.gzip ? src.pipe(createGzip({ level: 1 })) : src);
    }
    if (!doc.content) return s3Error(reply, 404, 'NoSuchKey', 'The specified key does not exist.');
    return reply.send(doc.content);
  });
}
