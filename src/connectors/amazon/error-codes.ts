import { defineErrorCodes } from '../../core/errors.js';

// SP-API answers `{"errors":[{code, message, details}]}`; these codes say what an answer means for
// the engine. Amazon's own code and text are always in `details.errors`.
export const amazonErrorCodes = defineErrorCodes({
  AMAZON_INVALID_INPUT: { kind: 'user', description: 'Amazon rejected the request as invalid (400 InvalidInput); `details.errors` has Amazon\'s message. Fix the data or the query, then replay.' },
  AMAZON_NEXT_TOKEN_REJECTED: { kind: 'user', description: 'Amazon could not decode a NextToken (malformed, not URL-encoded, or expired — FBA Inventory tokens live 30 s). Pagers restart the listing by themselves once; if it persists, report it.' },
  AMAZON_NOT_FOUND: { kind: 'user', description: 'Amazon says the order, feed, report, SKU or fulfillment order does not exist (404).' },
  AMAZON_LWA_REJECTED: { kind: 'user', description: 'Login with Amazon refused the app credentials or refresh token (invalid_client / invalid_grant). Re-authorise the app and update the connection.' },
  AMAZON_LWA_UNAVAILABLE: { kind: 'transient', description: 'The Login with Amazon token endpoint failed or answered garbage. Retried with backoff.' },
  AMAZON_INPUT_INVALID: { kind: 'user', description: 'The data handed to an Amazon operation failed its schema before anything was sent; `details.issues` lists the fields.' },
  AMAZON_CONFIG_INVALID: { kind: 'user', description: 'The Amazon connection configuration is incomplete or invalid; `details.issues` says what is missing.' },
  AMAZON_UNEXPECTED_RESPONSE: { kind: 'bug', description: 'Amazon answered 2xx with a body that does not match the operation\'s published model; `details.issues` lists where. Report it.' },
  AMAZON_FEED_FATAL: { kind: 'user', description: 'Amazon processed the feed and gave up on it entirely (FATAL): malformed document, wrong seller, or a retired feed type. `details.issues` holds the processing report.' },
  AMAZON_FEED_REJECTED_MESSAGES: { kind: 'user', description: 'The feed was processed but some messages were invalid or had errors; `details.issues` lists them by messageId and SKU.' },
  AMAZON_FEED_CANCELLED: { kind: 'user', description: 'The feed was cancelled before Amazon processed it.' },
  AMAZON_REPORT_FATAL: { kind: 'transient', description: 'Amazon could not generate the report (FATAL). Usually transient on Amazon\'s side; requested again later.' },
  AMAZON_REPORT_CANCELLED: { kind: 'user', description: 'The report was cancelled, or Amazon had no data for it.' },
  AMAZON_PROCESSING_TIMEOUT: { kind: 'transient', description: 'A feed or report was still in progress when our wait ended. The job retries and picks up the same feed or report id.' },
  AMAZON_DOCUMENT_EXPIRED: { kind: 'transient', description: 'A pre-signed document URL expired (they live 5 minutes) before the download began. Retried with a fresh URL.' },
  AMAZON_DOCUMENT_UNREADABLE: { kind: 'transient', description: 'A report or feed document could not be downloaded or decompressed (truncated gzip, reset). Retried.' },
  AMAZON_SETTLEMENT_MALFORMED: { kind: 'user', description: 'A settlement flat file is not in the V2 layout (missing header columns, no summary row, unreadable amount or date); `details` names the line.' },
  AMAZON_SETTLEMENT_TOTAL_MISMATCH: { kind: 'user', description: 'The transaction lines of a settlement do not add up to its total-amount: the file is incomplete or altered. Nothing from it should be posted.' },
  AMAZON_SQS_ERROR: { kind: 'transient', description: 'The notification queue (SQS) refused or failed a call; `details.type` has the SQS error type. Retried.' },
  AMAZON_SQS_NOT_CONFIGURED: { kind: 'user', description: 'A notification consumer was started without `sqsQueueUrl` in the connection configuration.' },
});
