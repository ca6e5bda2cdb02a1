// A minimal SQS client (JSON protocol: POST with X-Amz-Target: AmazonSQS.<Action>) for the
// notification destination. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
// Real SQS needs SigV4: pass `sign` (e.g. from @aws-sdk/signature-v4) to add the headers; the
// sandbox accepts unsigned requests.
import { randomUUID } from 'node:crypto';
import { HttpClient, type HttpRequest } from '../../http/client.js';
import { transientError, userError, type SynclineError } from '../../core/errors.js';
import type { HttpResponse } from '../../http/client.js';

export interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody?: string;
  Attributes?: Record<string, string>;
}

export interface SqsClientOptions {
  queueUrl: string;
  connection?: string;
  timeoutMs?: number;
  /** Adds SigV4 headers for real AWS; not needed for the sandbox. */
  sign?: (req: { url: string; headers: Record<string, string>; body: string }) => Promise<Record<string, string>> | Record<string, string>;
}

export class SqsClient {
  private readonly http: HttpClient;

  constructor(private readonly opts: SqsClientOptions) {
    if (!opts.queueUrl) throw userError('AMAZON_SQS_NOT_CONFIGURED', 'an SQS queue URL is required for the notification consumer');
    this.http = new HttpClient({
      connection: opts.connection ?? `sqs-${randomUUID()}`,
      baseUrl: opts.queueUrl,
      // Long polls last up to 20 s; leave room.
      timeoutMs: opts.timeoutMs ?? 30_000,
      classify: (res) => sqsError(res),
      auth: opts.sign
        ? {
            apply: async (req: HttpRequest, headers: Record<string, string>) => {
              Object.assign(headers, await opts.sign!({ url: opts.queueUrl, headers, body: String(req.body ?? '') }));
            },
          }
        : undefined,
    });
  }

  private async call<T>(action: string, body: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    const res = await this.http.request<T>({
      operation: `sqs.${action}`,
      method: 'POST',
      path: this.opts.queueUrl,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      body: JSON.stringify({ QueueUrl: this.opts.queueUrl, ...body }),
      // Receiving twice only makes a message visible later; deleting twice is harmless.
      idempotent: true,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    return res.body;
  }

  async receive(opts: { max?: number; waitS?: number; visibilityS?: number } = {}): Promise<SqsMessage[]> {
    const waitS = opts.waitS ?? 20;
    const r = await this.call<{ Messages?: SqsMessage[] }>(
      'ReceiveMessage',
      { MaxNumberOfMessages: opts.max ?? 10, WaitTimeSeconds: waitS, ...(opts.visibilityS !== undefined ? { VisibilityTimeout: opts.visibilityS } : {}), MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'] },
      waitS * 1000 + 10_000,
    );
    return r?.Messages ?? [];
  }

  /** Deletes a message; false when the handle is stale (its visibility expired, it will come again). */
  async delete(receiptHandle: string): Promise<boolean> {
    try {
      await this.call('DeleteMessage', { ReceiptHandle: receiptHandle });
      return true;
    } catch (e) {
      if ((e as SynclineError).details?.type === 'ReceiptHandleIsInvalid') return false;
      throw e;
    }
  }

  /**
   * Deletes messages ten to a call (DeleteMessageBatch); returns how many handles were stale (their
   * visibility expired, those messages come again). Any other failed entry is an error.
   */
  async deleteBatch(receiptHandles: string[]): Promise<number> {
    let stale = 0;
    for (let i = 0; i < receiptHandles.length; i += 10) {
      const Entries = receiptHandles.slice(i, i + 10).map((ReceiptHandle, k) => ({ Id: String(k), ReceiptHandle }));
      const r = await this.call<{ Failed?: Array<{ Id: string; Code?: string; Message?: string }> }>('DeleteMessageBatch', { Entries });
      for (const f of r?.Failed ?? []) {
        if (f.Code === 'ReceiptHandleIsInvalid') stale++;
        else throw transientError('AMAZON_SQS_ERROR', `SQS refused to delete a message: ${f.Code ?? '?'}: ${f.Message ?? ''}`, { details: { type: f.Code, message: f.Message } });
      }
    }
    return stale;
  }

  async changeVisibility(receiptHandle: string, visibilityS: number): Promise<void> {
    await this.call('ChangeMessageVisibility', { ReceiptHandle: receiptHandle, VisibilityTimeout: visibilityS });
  }
}

function sqsError(res: HttpResponse): SynclineError | undefined {
  const b = res.body as { __type?: string; message?: string } | undefined;
  const type = b?.__type?.split('#').pop();
  if (!type) return undefined;
  return transientError('AMAZON_SQS_ERROR', `SQS refused the call: ${type}: ${b?.message ?? ''}`, { details: { status: res.status, type, message: b?.message } });
}
