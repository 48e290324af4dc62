/**
 * Builders of API Gateway WebSocket proxy events shaped like real captures (see
 * docs/apigw-websocket.md, "Event shapes"), so tests read as "a $connect from this origin", and
 * of the shard queue's SQS records.
 */
import type { SQSEvent } from 'aws-lambda';
import { serializeShardJob } from '../../src/broadcast/shard-job.ts';
import type { WebSocketEvent } from '../../src/routes/route.ts';

/** Domain and stage every test event carries. */
export const DOMAIN_NAME = 'abc123.execute-api.eu-west-1.amazonaws.com';
export const STAGE = 'prod';
/** The connection a test event comes from unless it names another. */
export const SENDER = 'sender0000000A=';

interface EventOptions {
  readonly connectionId?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The handshake URL's query string parameters (`$connect` only). */
  readonly query?: Record<string, string>;
  /** The client's address (`identity.sourceIp`), which real events always carry. */
  readonly sourceIp?: string;
  /** The authorizer's context, which API Gateway repeats on every event in an auth mode. */
  readonly authorizer?: Record<string, string>;
}

/**
 * Builds a WebSocket proxy event.
 * @param routeKey - `$connect`, `$disconnect`, `$default` or anything else
 * @param options - connection id, handshake headers, frame body
 * @returns the event
 */
export function webSocketEvent(routeKey: string, options: EventOptions = {}): WebSocketEvent {
  const eventType =
    routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  return {
    requestContext: {
      routeKey,
      eventType,
      messageId: 'R1knPc2ntjMCFIA=',
      extendedRequestId: 'R1knPHYnNjMFaRg=',
      requestId: 'R1knPHYnNjMFaRg=',
      requestTime: '26/Nov/2026:10:00:00 +0000',
      messageDirection: 'IN',
      stage: STAGE,
      connectedAt: 1_795_000_000_000,
      requestTimeEpoch: 1_795_000_000_100,
      domainName: DOMAIN_NAME,
      connectionId: options.connectionId ?? SENDER,
      apiId: 'abc123',
      ...(options.sourceIp !== undefined && { identity: { sourceIp: options.sourceIp } }),
      ...(options.authorizer !== undefined && {
        authorizer: { principalId: options.authorizer.senderId, ...options.authorizer },
      }),
    } as WebSocketEvent['requestContext'],
    isBase64Encoded: false,
    ...(options.headers !== undefined && { headers: options.headers }),
    ...(options.body !== undefined && { body: options.body }),
    ...(options.query !== undefined && { queryStringParameters: options.query }),
  };
}

/**
 * A client frame's body.
 * @param fields - the frame's fields
 * @returns the JSON text a client sends
 */
export function chatFrame(fields: Record<string, unknown>): string {
  return JSON.stringify(fields);
}

/**
 * One record of the shard queue's event source mapping.
 * @param messageId - the SQS message id (what a batch item failure names)
 * @param body - the record's body
 * @returns the record
 */
export function sqsRecord(messageId: string, body: string): SQSEvent['Records'][number] {
  return {
    messageId,
    receiptHandle: `${messageId}-handle`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1795000000000',
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1795000000001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:awsome-chat-fanout',
    awsRegion: 'eu-west-1',
  };
}

/**
 * A shard record's body: a first attempt at posting a small message to the given recipients.
 * @param recipients - the connection ids of the shard
 * @returns the serialised shard job
 */
export function shardBody(recipients: string[]): string {
  return serializeShardJob({
    endpoint: `https://${DOMAIN_NAME}/${STAGE}`,
    payload: '{"type":"message","id":"x"}',
    attempt: 1,
    recipients,
  });
}
