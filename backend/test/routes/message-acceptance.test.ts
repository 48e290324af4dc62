/**
 * Accepting a message with a client id, through the handler: the claim, the serial and the
 * commit in that order and in as few requests as the design says; the ack before any member
 * gets it; a retry of the same client id answered with the same ack and nothing written or
 * broadcast again; a claim in progress, a claim whose holder died, and a commit or a read that
 * fails; and the frames a refusal carries.
 */

import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { chatFrame, SENDER, webSocketEvent } from '../support/events.ts';
import {
  CONNECTIONS_TABLE,
  conditionFailedError,
  decodePosted,
  goneError,
  MESSAGE_ID,
  NOW,
  NOW_SECONDS,
  postedTo,
  ROOMS_TABLE,
  rigPerTest,
  type TestRig,
} from '../support/mocks.ts';

const setUp = rigPerTest();
const CLAIM_KEY = { room: 'lobby#msg#c1', slot: 0 };

/** A room of the sender and two others, whose posts all succeed. */
function roomOfThree(): TestRig {
  const rig = setUp();
  rig.dynamoDb
    .on(QueryCommand)
    .resolves({ Items: [SENDER, 'a', 'b'].map((connectionId) => ({ connectionId })) });
  rig.managementApi.on(PostToConnectionCommand).resolves({});
  rig.dynamoDb.on(TransactWriteCommand).resolves({});
  return rig;
}

const send = (rig: TestRig, fields: Record<string, unknown>) =>
  rig.handler(webSocketEvent('$default', { connectionId: SENDER, body: chatFrame(fields) }));

/** The frames posted, as [recipient, frame]. */
const posts = (rig: TestRig): [string | undefined, unknown][] =>
  rig.managementApi
    .commandCalls(PostToConnectionCommand)
    .map((call) => [call.args[0].input.ConnectionId, decodePosted(call.args[0].input.Data)]);

/** What DynamoDB answers a claim whose client id has an item already. */
function claimTaken(item: Record<string, unknown>): ConditionalCheckFailedException {
  const wire = Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      name,
      typeof value === 'number' ? { N: String(value) } : { S: String(value) },
    ]),
  );
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: wire as never,
  });
}

describe('a message with a client id', () => {
  it('is claimed, numbered and committed in one transaction, then acked before any member gets it', async () => {
    // Prepare
    const rig = roomOfThree();

    // Act
    const response = await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess: the claim, conditional on the client id being new (or past its window)
    expect(response).toEqual({ statusCode: 200 });
    const claim = rig.dynamoDb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(claim).toMatchObject({
      TableName: ROOMS_TABLE,
      Item: {
        ...CLAIM_KEY,
        state: 'claimed',
        claimedAt: NOW.getTime(),
        expiresAt: NOW_SECONDS + contract.limits.dedupWindowSeconds,
      },
      ConditionExpression: 'attribute_not_exists(#room) OR #expiresAt <= :now',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    // The commit: the slot (never over a newer message) and the record, or neither
    const [commit] = rig.dynamoDb.commandCalls(TransactWriteCommand);
    expect(commit?.args[0].input.TransactItems).toMatchObject([
      {
        Put: {
          TableName: ROOMS_TABLE,
          Item: { room: 'lobby', slot: 0, id: MESSAGE_ID, seq: 1 },
          ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
        },
      },
      {
        Update: {
          TableName: ROOMS_TABLE,
          Key: CLAIM_KEY,
          ConditionExpression: '#state = :claimed AND #claimedAt = :claimedAt',
          ExpressionAttributeValues: { ':id': MESSAGE_ID, ':seq': 1, ':committed': 'committed' },
        },
      },
    ]);
    const kept = JSON.parse(String(commit?.args[0].input.TransactItems?.[0]?.Put?.Item?.event));
    expect(kept).toMatchObject({ id: MESSAGE_ID, seq: 1, message: 'hi' });
    // The ack first, to the sender only, then the members
    expect(posts(rig)[0]).toEqual([
      SENDER,
      { type: 'ack', clientId: 'c1', id: MESSAGE_ID, seq: 1, room: 'lobby' },
    ]);
    expect(postedTo(rig).slice(1).toSorted()).toEqual(['a', 'b']);
    expect(posts(rig)[1]?.[1]).toMatchObject({ type: 'message', seq: 1 });
    expect(rig.logs).toMatchObject([{ outcome: 'broadcast', seq: 1, acked: true, delivered: 2 }]);
  });

  it('costs 5 DynamoDB requests in a small room, and without a client id 4', async () => {
    // Prepare: the stored count is right, so no correction is written
    const rig = roomOfThree();
    rig.dynamoDb
      .on(UpdateCommand, { TableName: ROOMS_TABLE })
      .resolves({ Attributes: { seq: 1, members: 3, membersVersion: 1 } });

    // Act
    await send(rig, { message: 'with', clientId: 'c1' });
    const withClientId = rig.dynamoDb.calls().length;
    await send(rig, { message: 'without' });

    // Assess: rate, claim, serial, commit, members; rate, serial, put, members
    expect(withClientId).toBe(5);
    expect(rig.dynamoDb.calls().length - withClientId).toBe(4);
  });

  it('sent again after it was accepted gets the same ack, and nothing is written or broadcast again', async () => {
    // Prepare: the client id's record says serial 41
    const rig = roomOfThree();
    rig.dynamoDb
      .on(PutCommand, { TableName: ROOMS_TABLE })
      .rejects(
        claimTaken({ state: 'committed', id: '01KBFIRST0000000000000000Z', seq: 41, claimedAt: 1 }),
      );

    // Act
    const response = await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(posts(rig)).toEqual([
      [
        SENDER,
        { type: 'ack', clientId: 'c1', id: '01KBFIRST0000000000000000Z', seq: 41, room: 'lobby' },
      ],
    ]);
    expect(rig.dynamoDb.commandCalls(UpdateCommand, { TableName: ROOMS_TABLE })).toHaveLength(0);
    expect(rig.dynamoDb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(rig.dynamoDb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(rig.logs).toMatchObject([{ outcome: 'duplicate', seq: 41, replied: true }]);
  });

  it('sent again while another invocation accepts it gets nothing yet, and nothing happens', async () => {
    // Prepare: claimed 2 s ago
    const rig = roomOfThree();
    rig.dynamoDb
      .on(PutCommand, { TableName: ROOMS_TABLE })
      .rejects(claimTaken({ state: 'claimed', claimedAt: NOW.getTime() - 2000 }));

    // Act
    await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess: the sender waits for the ack of the first, or sends again
    expect(posts(rig)).toEqual([]);
    expect(rig.dynamoDb.commandCalls(UpdateCommand, { TableName: ROOMS_TABLE })).toHaveLength(0);
    expect(rig.logs).toMatchObject([{ outcome: 'in_progress' }]);
  });

  it('whose claim outlived the claim timeout (its holder died) is taken over and accepted', async () => {
    // Prepare: claimed 31 s ago by an invocation that never committed
    const rig = roomOfThree();
    const deadClaim = NOW.getTime() - (contract.limits.claimTimeoutSeconds + 1) * 1000;
    rig.dynamoDb
      .on(PutCommand, { TableName: ROOMS_TABLE })
      .rejectsOnce(claimTaken({ state: 'claimed', claimedAt: deadClaim }))
      .resolves({});

    // Act
    await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess: the take-over holds only if nobody else took over first
    const takeOver = rig.dynamoDb.commandCalls(PutCommand)[1]?.args[0].input;
    expect(takeOver).toMatchObject({
      Item: { ...CLAIM_KEY, state: 'claimed', claimedAt: NOW.getTime() },
      ConditionExpression: '#state = :claimed AND #claimedAt = :previous',
      ExpressionAttributeValues: { ':previous': deadClaim },
    });
    expect(posts(rig)[0]?.[1]).toMatchObject({ type: 'ack', seq: 1 });
    expect(rig.logs).toMatchObject([{ outcome: 'broadcast', tookOver: true }]);
  });

  it('whose dead claim another send took over first is left to that one', async () => {
    // Prepare
    const rig = roomOfThree();
    const deadClaim = NOW.getTime() - 60_000;
    rig.dynamoDb
      .on(PutCommand, { TableName: ROOMS_TABLE })
      .rejectsOnce(claimTaken({ state: 'claimed', claimedAt: deadClaim }))
      .rejects(claimTaken({ state: 'claimed', claimedAt: NOW.getTime() - 10 }));

    // Act
    await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess
    expect(posts(rig)).toEqual([]);
    expect(rig.logs).toMatchObject([{ outcome: 'in_progress' }]);
  });

  it('reads the claim when the DynamoDB in use does not return it with the refusal', async () => {
    // Prepare: a stand-in that ignores ReturnValuesOnConditionCheckFailure
    const rig = roomOfThree();
    rig.dynamoDb.on(PutCommand, { TableName: ROOMS_TABLE }).rejects(conditionFailedError());
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    rig.dynamoDb
      .on(GetCommand)
      .resolves({ Item: { ...CLAIM_KEY, state: 'committed', id: MESSAGE_ID, seq: 3 } });

    // Act
    await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess
    expect(rig.dynamoDb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: CLAIM_KEY,
      ConsistentRead: true,
    });
    expect(posts(rig)).toEqual([
      [SENDER, { type: 'ack', clientId: 'c1', id: MESSAGE_ID, seq: 3, room: 'lobby' }],
    ]);
  });

  it('whose commit fails is not accepted: its claim is released, the sender told with its client id, nobody gets it', async () => {
    // Prepare: the transaction is cancelled
    const rig = roomOfThree();
    rig.dynamoDb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
      }),
    );

    // Act
    const response = await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess: the serial is void; the retry starts over with a fresh claim
    expect(response).toEqual({ statusCode: 500 });
    expect(posts(rig)).toEqual([
      [
        SENDER,
        {
          type: 'error',
          code: 'internal_error',
          message: 'The message could not be sent. Please try again.',
          clientId: 'c1',
        },
      ],
    ]);
    expect(rig.dynamoDb.commandCalls(DeleteCommand)[0]?.args[0].input).toMatchObject({
      TableName: ROOMS_TABLE,
      Key: CLAIM_KEY,
      ConditionExpression: '#state = :claimed AND #claimedAt = :claimedAt',
      ExpressionAttributeValues: { ':claimedAt': NOW.getTime() },
    });
    expect(rig.dynamoDb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(rig.logs).toMatchObject([
      {
        level: 'error',
        outcome: 'commit_failed',
        error: 'TransactionCanceledException',
        voidSeq: 1,
      },
    ]);
  });

  it('whose serial cannot be taken is not accepted either, and its claim is released', async () => {
    // Prepare
    const rig = roomOfThree();
    rig.dynamoDb.on(UpdateCommand, { TableName: ROOMS_TABLE }).rejects(new Error('throttled'));

    // Act
    await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess
    expect(posts(rig)).toMatchObject([[SENDER, { code: 'internal_error', clientId: 'c1' }]]);
    expect(rig.dynamoDb.commandCalls(DeleteCommand)).toHaveLength(1);
    expect(rig.dynamoDb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(rig.logs).toMatchObject([{ outcome: 'serial_failed' }]);
  });

  it('whose claim cannot be written is not accepted, and the sender is told with its client id', async () => {
    // Prepare
    const rig = roomOfThree();
    rig.dynamoDb.on(PutCommand, { TableName: ROOMS_TABLE }).rejects(new Error('throttled'));

    // Act
    await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess
    expect(posts(rig)).toMatchObject([[SENDER, { code: 'internal_error', clientId: 'c1' }]]);
    expect(rig.dynamoDb.commandCalls(UpdateCommand, { TableName: ROOMS_TABLE })).toHaveLength(0);
    expect(rig.logs).toMatchObject([{ outcome: 'claim_failed' }]);
  });

  it('refused by the rate limit is named in the error', async () => {
    // Prepare: both of the limiter's writes are refused
    const rig = roomOfThree();
    rig.dynamoDb
      .on(UpdateCommand, { TableName: CONNECTIONS_TABLE })
      .rejects(conditionFailedError());

    // Act
    await send(rig, { message: 'hi', clientId: 'c1' });

    // Assess
    expect(posts(rig)).toMatchObject([[SENDER, { code: 'rate_limited', clientId: 'c1' }]]);
  });

  it('refused as invalid is named in the error', async () => {
    // Prepare
    const rig = roomOfThree();

    // Act
    await send(rig, { message: '', clientId: 'c1' });

    // Assess
    expect(posts(rig)).toMatchObject([[SENDER, { code: 'message_empty', clientId: 'c1' }]]);
  });
});

describe('a message without a client id (an old client)', () => {
  it('is kept and broadcast as before, with its serial, and its sender gets no ack', async () => {
    // Prepare
    const rig = roomOfThree();

    // Act
    await send(rig, { action: 'sendmessage', message: 'hi' });

    // Assess: a plain conditional put, no claim, no transaction
    expect(rig.dynamoDb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const [kept] = rig.dynamoDb.commandCalls(PutCommand);
    expect(kept?.args[0].input).toMatchObject({
      TableName: ROOMS_TABLE,
      Item: { room: 'lobby', slot: 0, seq: 1 },
    });
    expect(postedTo(rig).toSorted()).toEqual(['a', 'b']);
    expect(rig.logs[0]).not.toHaveProperty('acked');
  });
});

describe("a broadcast's head count", () => {
  it('corrects the stored count only under the version the serial write read', async () => {
    // Prepare: 5 stored at version 17, 3 listed
    const rig = roomOfThree();
    rig.dynamoDb
      .on(UpdateCommand, { TableName: ROOMS_TABLE })
      .resolvesOnce({ Attributes: { seq: 9, members: 5, membersVersion: 17 } })
      .resolves({});

    // Act
    await send(rig, { message: 'hi' });

    // Assess
    const correction = rig.dynamoDb.commandCalls(UpdateCommand, { TableName: ROOMS_TABLE })[1]
      ?.args[0].input;
    expect(correction).toMatchObject({
      UpdateExpression: expect.stringContaining('SET members = :members'),
      ConditionExpression: expect.stringContaining('membersVersion = :version'),
      ExpressionAttributeValues: { ':members': 3, ':version': 17 },
    });
  });

  it('counts out a recipient found gone (410), as the one whose delete removed its item', async () => {
    // Prepare: b is gone; its item is still there
    const rig = roomOfThree();
    rig.managementApi.on(PostToConnectionCommand, { ConnectionId: 'b' }).rejects(goneError());
    rig.dynamoDb.on(DeleteCommand).resolves({ Attributes: { connectionId: 'b', room: 'lobby' } });

    // Act
    await send(rig, { message: 'hi' });

    // Assess: one decrement, conditional on a positive count
    const countOuts = rig.dynamoDb
      .commandCalls(UpdateCommand, { TableName: ROOMS_TABLE })
      .map((call) => call.args[0].input)
      .filter((input) => input.UpdateExpression?.includes('ADD members :minusOne'));
    expect(countOuts).toMatchObject([
      { Key: { room: 'lobby', slot: -1 }, ConditionExpression: 'members > :zero' },
    ]);
  });

  it('counts no one out for a 410 whose item was gone already ($disconnect came first)', async () => {
    // Prepare
    const rig = roomOfThree();
    rig.managementApi.on(PostToConnectionCommand, { ConnectionId: 'b' }).rejects(goneError());
    rig.dynamoDb.on(DeleteCommand).resolves({});

    // Act
    await send(rig, { message: 'hi' });

    // Assess
    const updates = rig.dynamoDb
      .commandCalls(UpdateCommand, { TableName: ROOMS_TABLE })
      .map((call) => call.args[0].input.UpdateExpression ?? '');
    expect(updates.filter((expression) => expression.includes(':minusOne'))).toEqual([]);
  });
});
