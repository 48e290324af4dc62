/**
 * Idempotent send against a real DynamoDB-compatible server (with the local stack's
 * transactions): the same client id sent twice, one after the other and at once; a claim whose
 * holder died; and a commit that fails.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { ClaimOutcome, MessageClaims } from '../../src/rooms/message-claims.ts';
import { createMessageClaims } from '../../src/rooms/message-claims.ts';
import type { RoomStore } from '../../src/rooms/room-store.ts';
import { createRoomStore } from '../../src/rooms/room-store.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb } from '../support/dynalite.ts';

const T0 = new Date('2026-11-30T06:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

let dynamoDb: TestDynamoDb;
let rooms: RoomStore;
let claims: MessageClaims;
beforeAll(async () => {
  dynamoDb = await startTestDynamoDb('connections');
  const client = DynamoDBDocumentClient.from(dynamoDb.client);
  rooms = createRoomStore({
    client,
    tableName: dynamoDb.roomsTableName,
    historyMaxMessages: 50,
    historyTtlSeconds: 86_400,
  });
  claims = createMessageClaims({ client, tableName: dynamoDb.roomsTableName });
});
afterAll(async () => {
  await dynamoDb?.stop();
});

/**
 * What the accept path does with a claim: take a serial and commit, returning the serial; or the
 * claim's other outcome.
 */
async function accept(
  room: string,
  clientId: string,
  now: Date,
): Promise<{ readonly outcome: ClaimOutcome['kind']; readonly seq: number | undefined }> {
  const claimed = await claims.claim(room, clientId, now);
  if (claimed.kind === 'in_progress') return { outcome: 'in_progress', seq: undefined };
  if (claimed.kind === 'committed') return { outcome: 'committed', seq: claimed.seq };
  const { seq } = await rooms.nextSerial(room, now);
  await rooms.commitMessage(
    room,
    { id: `id-${clientId}-${seq}`, seq, event: `{"seq":${seq}}` },
    claimed.claim,
    now,
  );
  return { outcome: 'claimed', seq };
}

async function keptSerials(room: string): Promise<number[]> {
  return (await rooms.snapshot(room, T0)).messages.map(({ seq }) => seq);
}

async function roomItems(): Promise<number> {
  const { Items = [] } = await dynamoDb.client.send(
    new ScanCommand({ TableName: dynamoDb.roomsTableName }),
  );
  return Items.length;
}

describe('a client id sent twice', () => {
  it('one after the other: the second finds the first committed, with its id and serial', async () => {
    // Act
    const first = await accept('seq-twice', 'c1', T0);
    const second = await claims.claim('seq-twice', 'c1', at(5));

    // Assess: one copy kept
    expect(first).toEqual({ outcome: 'claimed', seq: 1 });
    expect(second).toEqual({ kind: 'committed', id: 'id-c1-1', seq: 1 });
    expect(await keptSerials('seq-twice')).toEqual([1]);
  });

  it('at once: exactly one is accepted, the others are in progress, and one copy is kept', async () => {
    // Act: ten sends of the same client id together
    const results = await Promise.all(
      Array.from({ length: 10 }, () => accept('together', 'c1', T0)),
    );

    // Assess: the others found it in progress, or already committed, with the same serial
    expect(results.filter((result) => result.outcome === 'claimed')).toEqual([
      { outcome: 'claimed', seq: 1 },
    ]);
    for (const result of results.filter((other) => other.outcome !== 'claimed')) {
      expect([
        { outcome: 'in_progress', seq: undefined },
        { outcome: 'committed', seq: 1 },
      ]).toContainEqual(result);
    }
    expect(await keptSerials('together')).toEqual([1]);
    expect(await claims.claim('together', 'c1', at(1))).toMatchObject({ kind: 'committed' });
  });

  it('after the dedup window: a new message (the record counts as absent)', async () => {
    // Prepare
    await accept('window', 'c1', T0);

    // Act
    const later = await accept('window', 'c1', at(contract.limits.dedupWindowSeconds + 1));

    // Assess
    expect(later).toEqual({ outcome: 'claimed', seq: 2 });
  });
});

describe('a claim whose holder died', () => {
  it('blocks its client id for the claim timeout, then is taken over, and the dead holder can no longer commit', async () => {
    // Prepare: the holder claimed and took a serial, then its invocation was killed
    const dead = await claims.claim('died', 'c1', T0);
    if (dead.kind !== 'claimed') throw new Error('expected a claim');
    const deadSerial = await rooms.nextSerial('died', T0);

    // Act
    const early = await claims.claim('died', 'c1', at(contract.limits.claimTimeoutSeconds - 1));
    const retry = await accept('died', 'c1', at(contract.limits.claimTimeoutSeconds + 1));
    // A holder that was only slow comes back and commits: its transaction is refused whole
    const lateCommit = rooms.commitMessage(
      'died',
      { id: 'id-dead', seq: deadSerial.seq, event: '{"seq":1}' },
      dead.claim,
      at(40),
    );

    // Assess: one copy, with the retry's serial; the dead holder's serial stays unused
    expect(early).toEqual({ kind: 'in_progress' });
    expect(retry).toEqual({ outcome: 'claimed', seq: 2 });
    await expect(lateCommit).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(await keptSerials('died')).toEqual([2]);
    expect(await claims.claim('died', 'c1', at(50))).toEqual({
      kind: 'committed',
      id: 'id-c1-2',
      seq: 2,
    });
  });
});

describe('a commit that fails', () => {
  it('writes nothing; the claim is released, and the retry is accepted once with a new serial', async () => {
    // Prepare: a ring of 1 whose slot holds serial 3, and a message that took serial 2
    const small = createRoomStore({
      client: DynamoDBDocumentClient.from(dynamoDb.client),
      tableName: dynamoDb.roomsTableName,
      historyMaxMessages: 1,
      historyTtlSeconds: 86_400,
    });
    await small.nextSerial('fails', T0);
    const claimed = await claims.claim('fails', 'c1', T0);
    if (claimed.kind !== 'claimed') throw new Error('expected a claim');
    const { seq } = await small.nextSerial('fails', T0);
    const newer = await small.nextSerial('fails', T0);
    await small.commitMessage(
      'fails',
      { id: 'id-newer', seq: newer.seq, event: '{}' },
      undefined,
      T0,
    );
    const itemsBefore = await roomItems();

    // Act
    const commit = small.commitMessage(
      'fails',
      { id: 'id-c1', seq, event: '{}' },
      claimed.claim,
      T0,
    );
    await expect(commit).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    const itemsAfter = await roomItems();
    const kept = (await small.snapshot('fails', T0)).messages.map((message) => message.id);
    await claims.release(claimed.claim);
    const retry = await claims.claim('fails', 'c1', at(1));

    // Assess: nothing of the failed commit stays; the retry is a fresh claim, not "in progress"
    expect(seq).toBe(2);
    expect(itemsAfter).toBe(itemsBefore);
    expect(kept).toEqual(['id-newer']);
    expect(retry).toMatchObject({ kind: 'claimed', tookOver: false });
  });

  it('never releases a claim another send has taken over', async () => {
    // Prepare: c1's claim was taken over after the timeout
    const first = await claims.claim('release', 'c1', T0);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    const second = await claims.claim('release', 'c1', at(60));

    // Act: the first holder gives up late
    await claims.release(first.claim);

    // Assess
    expect(second).toMatchObject({ kind: 'claimed', tookOver: true });
    expect(await claims.claim('release', 'c1', at(61))).toEqual({ kind: 'in_progress' });
  });
});
