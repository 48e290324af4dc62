/**
 * What the function put in the dead-letter queue, counted in recipients: a record is a shard job
 * (backend/src/broadcast/shard-job.ts) with its recipients listed, or with a cursor for the rest
 * of a room nobody read, whose members are counted here by reading the room from that cursor.
 */
import { PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { parseShardJob, type ShardJob } from '../../../../backend/src/broadcast/shard-job.ts';
import contract from '../../../../contract/contract.json' with { type: 'json' };
import { LOCAL_CREDENTIALS, localDynamoDbClient } from '../../../local-stack/src/dynamodb.ts';
import type { LocalStack } from '../../../local-stack/src/stack.ts';

/** The dead-letter queue's contents, counted. */
export interface DeadLetters {
  readonly records: number;
  /** Recipients of every record, a cursor's counted from the room. */
  readonly recipients: number;
  /** Records that held a cursor instead of recipients. */
  readonly cursors: number;
}

/**
 * Reads every record of the stack's dead-letter queue, counts it, and empties the queue.
 * @param stack - the running local stack
 * @returns the records and their recipients
 */
export async function takeDeadLetters(stack: LocalStack): Promise<DeadLetters> {
  const sqs = new SQSClient({
    endpoint: stack.sqsEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const jobs: ShardJob[] = [];
  try {
    while (true) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.deadLetterQueueUrl,
          MaxNumberOfMessages: contract.sqs.maxBatchEntries,
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const parsed = parseShardJob(message.Body ?? '');
        if (parsed.ok) jobs.push(parsed.job);
      }
    }
    await sqs.send(new PurgeQueueCommand({ QueueUrl: stack.deadLetterQueueUrl }));
  } finally {
    sqs.destroy();
  }
  let recipients = 0;
  for (const job of jobs) recipients += job.recipients?.length ?? (await membersAfter(stack, job));
  return {
    records: jobs.length,
    recipients,
    cursors: jobs.filter((job) => job.cursor !== undefined).length,
  };
}

/** The members of a cursor job's room from its cursor on, less the connection it leaves out. */
async function membersAfter(stack: LocalStack, job: ShardJob): Promise<number> {
  const { partitionKey, roomAttribute, roomIndex } = contract.table;
  const client = DynamoDBDocumentClient.from(
    localDynamoDbClient(stack.dynamoEndpoint, stack.region),
  );
  let members = 0;
  try {
    const pages = paginateQuery(
      { client },
      {
        TableName: stack.tableName,
        IndexName: roomIndex,
        KeyConditionExpression: '#room = :room',
        ExpressionAttributeNames: { '#room': roomAttribute, '#id': partitionKey },
        ExpressionAttributeValues: { ':room': job.cursor?.room, ':left': job.exclude ?? '' },
        FilterExpression: '#id <> :left',
        ExclusiveStartKey: job.cursor?.after,
        Select: 'COUNT',
      },
    );
    for await (const page of pages) members += page.Count ?? 0;
  } finally {
    client.destroy();
  }
  return members;
}
