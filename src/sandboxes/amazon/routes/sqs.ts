// The SQS JSON protocol (POST with X-Amz-Target: AmazonSQS.<Action>), enough for a notification
// consumer: ReceiveMessage (long poll, visibility timeout), DeleteMessage, DeleteMessageBatch,
// ChangeMessageVisibility, GetQueueAttributes, SendMessage. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
// Not simulated: SigV4 (any signature is accepted), FIFO queues, the other batch actions.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AmazonSandbox } from '../context.js';
import { md5 } from '../queue.js';

const sqsError = (reply: FastifyReply, type: string, message: string, status = 400) =>
  reply.code(status).header('x-amzn-query-error', `${type};Sender`).type('application/x-amz-json-1.0').send({ __type: `com.amazonaws.sqs#${type}`, message });

export function registerSqs(app: FastifyInstance, sb: AmazonSandbox): void {
  app.addContentTypeParser('application/x-amz-json-1.0', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(String(body)));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  const handler = async (req: import('fastify').FastifyRequest, reply: FastifyReply) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    const b = (req.body ?? {}) as Record<string, any>;
    const queueUrl = typeof b.QueueUrl === 'string' ? b.QueueUrl : '';
    const name = queueUrl.split('/').pop() ?? '';
    const q = sb.queues.get(name);
    reply.type('application/x-amz-json-1.0');
    if (!action) return sqsError(reply, 'InvalidAction', `The action ${target} is not valid for this endpoint.`);
    if (!q) return sqsError(reply, 'QueueDoesNotExist', 'The specified queue does not exist.');
    switch (action) {
      case 'ReceiveMessage': {
        const max = Number(b.MaxNumberOfMessages ?? 1);
        const wait = Number(b.WaitTimeSeconds ?? 0);
        const vis = b.VisibilityTimeout === undefined ? undefined : Number(b.VisibilityTimeout);
        if (!Number.isInteger(max) || max < 1 || max > 10) return sqsError(reply, 'InvalidParameterValue', 'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.');
        if (!(wait >= 0 && wait <= 20)) return sqsError(reply, 'InvalidParameterValue', 'Value for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.');
        if (vis !== undefined && !(vis >= 0 && vis <= 43_200)) return sqsError(reply, 'InvalidParameterValue', 'Value for parameter VisibilityTimeout is invalid.');
        sb.market.tick();
        const got = await q.receive(max, wait, vis);
        return {
          Messages: got.map((m) => ({
            MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: md5(m.body), Body: m.body,
            Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt), ApproximateFirstReceiveTimestamp: String(m.sentAt) },
          })),
        };
      }
      case 'DeleteMessage':
        if (typeof b.ReceiptHandle !== 'string' || !q.delete(b.ReceiptHandle)) return sqsError(reply, 'ReceiptHandleIsInvalid', `The input receipt handle "${b.ReceiptHandle}" is not a valid receipt handle.`);
        return {};
      case 'DeleteMessageBatch': {
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html
        const entries: unknown[] = Array.isArray(b.Entries) ? b.Entries : [];
        if (!entries.length) return sqsError(reply, 'EmptyBatchRequest', 'There should be at least one DeleteMessageBatchRequestEntry in the request.');
        if (entries.length > 10) return sqsError(reply, 'TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
        const ids = entries.map((e) => (e as { Id?: unknown })?.Id);
        const badId = ids.find((id) => typeof id !== 'string' || !/^[\w-]{1,80}$/.test(id));
        if (badId !== undefined || ids.length !== entries.length) return sqsError(reply, 'InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
        const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
        if (repeated !== undefined) return sqsError(reply, 'BatchEntryIdsNotDistinct', `Id ${String(repeated)} repeated.`);
        const Successful: Array<{ Id: string }> = [];
        const Failed: Array<{ Id: string; SenderFault: boolean; Code: string; Message: string }> = [];
        for (const e of entries as Array<{ Id: string; ReceiptHandle?: unknown }>) {
          if (typeof e.ReceiptHandle === 'string' && q.delete(e.ReceiptHandle)) Successful.push({ Id: e.Id });
          else Failed.push({ Id: e.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: `The input receipt handle "${String(e.ReceiptHandle)}" is not a valid receipt handle.` });
        }
        return { Successful, Failed };
      }
      case 'ChangeMessageVisibility':
        if (typeof b.ReceiptHandle !== 'string' || !q.changeVisibility(b.ReceiptHandle, Number(b.VisibilityTimeout ?? 0))) return sqsError(reply, 'ReceiptHandleIsInvalid', `The input receipt handle "${b.ReceiptHandle}" is not a valid receipt handle.`);
        return {};
      case 'SendMessage': {
        if (typeof b.MessageBody !== 'string' || b.MessageBody === '') return sqsError(reply, 'MissingParameter', 'The request must contain the parameter MessageBody.');
        const id = q.send(b.MessageBody);
        return { MessageId: id, MD5OfMessageBody: md5(b.MessageBody) };
      }
      case 'GetQueueAttributes': {
        const now = sb.clock.now();
        return { Attributes: { ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length), ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now).length), VisibilityTimeout: String(q.defaultVisibilityS) } };
      }
      default:
        return sqsError(reply, 'InvalidAction', `The action ${action} is not valid for this endpoint.`);
    }
  };
  app.post('/', handler);
  app.post('/sqs/:account/:queue', handler);
}
