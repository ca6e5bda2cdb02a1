// Notifications API v1: an SQS destination and one subscription per notification type.
// Destination operations are grantless (client_credentials token, scope sellingpartnerapi::notifications).
import { z } from 'zod';
import { amazonOperation } from './define.js';

const destination = z.looseObject({ name: z.string(), destinationId: z.string(), resource: z.looseObject({ sqs: z.looseObject({ arn: z.string() }).optional() }) });
const subscription = z.looseObject({ subscriptionId: z.string(), payloadVersion: z.string(), destinationId: z.string() });
export const notificationTypeSchema = z.enum(['ORDER_CHANGE', 'FBA_INVENTORY_AVAILABILITY_CHANGES', 'FULFILLMENT_ORDER_STATUS', 'FBA_OUTBOUND_SHIPMENT_STATUS', 'FEED_PROCESSING_FINISHED', 'REPORT_PROCESSING_FINISHED']);

export const createDestination = amazonOperation({
  id: 'createDestination',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-reference#createdestination',
  input: z.strictObject({ name: z.string().min(1).max(256), sqsArn: z.string().regex(/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/, 'an SQS queue ARN') }),
  output: destination,
  async run(client, i) {
    const res = await client.call<{ payload?: unknown }>('createDestination', '/notifications/v1/destinations', { method: 'POST', grantless: true, body: { name: i.name, resourceSpecification: { sqs: { arn: i.sqsArn } } } });
    return res.body?.payload;
  },
});

export const getDestinations = amazonOperation({
  id: 'getDestinations',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-reference#getdestinations',
  input: z.strictObject({}),
  output: z.array(destination),
  async run(client) {
    return (await client.call<{ payload?: unknown }>('getDestinations', '/notifications/v1/destinations', { grantless: true })).body?.payload;
  },
});

export const createSubscription = amazonOperation({
  id: 'createSubscription',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-reference#createsubscription',
  input: z.strictObject({ notificationType: notificationTypeSchema, destinationId: z.string().min(1), payloadVersion: z.string().optional() }),
  output: subscription,
  async run(client, i) {
    const payloadVersion = i.payloadVersion ?? (i.notificationType.endsWith('PROCESSING_FINISHED') ? '2020-09-04' : '1.0');
    const res = await client.call<{ payload?: unknown }>('createSubscription', `/notifications/v1/subscriptions/${i.notificationType}`, { method: 'POST', body: { payloadVersion, destinationId: i.destinationId } });
    return res.body?.payload;
  },
});

export const getSubscription = amazonOperation({
  id: 'getSubscription',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-reference#getsubscription',
  input: z.strictObject({ notificationType: notificationTypeSchema }),
  output: subscription,
  async run(client, i) {
    return (await client.call<{ payload?: unknown }>('getSubscription', `/notifications/v1/subscriptions/${i.notificationType}`)).body?.payload;
  },
});

export const deleteSubscriptionById = amazonOperation({
  id: 'deleteSubscriptionById',
  docs: 'https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-reference#deletesubscriptionbyid',
  input: z.strictObject({ notificationType: notificationTypeSchema, subscriptionId: z.string().min(1) }),
  output: z.object({ deleted: z.literal(true) }),
  async run(client, i) {
    await client.call('deleteSubscriptionById', `/notifications/v1/subscriptions/${i.notificationType}/${encodeURIComponent(i.subscriptionId)}`, { method: 'DELETE', grantless: true });
    return { deleted: true };
  },
});
