/**
 * Idempotent send: one item per message a client named with its own id, in the rooms table
 * under `room = "<room>#msg#<clientId>"`, `slot = 0` (`#` never occurs in a room name, so these
 * partitions never mix with a room's own). The first send of a client id claims the item; the
 * commit that keeps the message turns the claim into the message's record (its id and serial) in
 * the same transaction (room-store.ts); every later send of that id within the dedup window finds
 * the record and gets the same acknowledgement, and nothing is written or broadcast twice.
 *
 * A claim whose holder died (its invocation killed before the commit) would block its client id
 * for good: a claim older than the claim timeout is taken over by the next send.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { toEpochSeconds } from './connection-store.ts';

const { partitionKey, sortKey, ttlAttribute } = contract.roomsTable;
const { dedupWindowSeconds, claimTimeoutSeconds } = contract.limits;

/** A claim this invocation holds: what its commit and its release are conditional on. */
export interface Claim {
  readonly room: string;
  readonly clientId: string;
  /** When it was claimed, epoch milliseconds: tells this claim from a later take-over. */
  readonly claimedAt: number;
}

/** What claiming a client id found. */
export type ClaimOutcome =
  /** The message is this invocation's to accept (a first send, or a dead holder's taken over). */
  | { readonly kind: 'claimed'; readonly claim: Claim; readonly tookOver: boolean }
  /** Accepted before: its id and serial, for the same acknowledgement. */
  | { readonly kind: 'committed'; readonly id: string; readonly seq: number }
  /** Another invocation is accepting it right now. */
  | { readonly kind: 'in_progress' };

/** Where claims live. */
export interface MessageClaims {
  /**
   * Claims a client id of a room.
   * @param room - the sender's room
   * @param clientId - the client's id of the message
   * @param now - the current time
   * @returns claimed, already committed (with its id and serial), or in progress elsewhere
   */
  claim(room: string, clientId: string, now: Date): Promise<ClaimOutcome>;
  /**
   * Gives a claim up after its commit failed, so a retry starts over at once (best effort: a
   * claim left behind is taken over after the claim timeout).
   * @param claim - the claim this invocation holds
   */
  release(claim: Claim): Promise<void>;
}

/** Options of {@link createMessageClaims}. */
export interface MessageClaimsOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** The states a claim item goes through. */
const CLAIMED = 'claimed';
const COMMITTED = 'committed';

/**
 * Builds the DynamoDB-backed claims.
 * @param options - the document client and the rooms table
 * @returns the claims
 */
export function createMessageClaims(options: MessageClaimsOptions): MessageClaims {
  return {
    claim: (room, clientId, now) => claim(options, room, clientId, now),
    release: (held) => release(options, held),
  };
}

/**
 * The key of a client id's item.
 * @param room - the sender's room
 * @param clientId - the client's id of the message
 * @returns the item's key in the rooms table
 */
export function claimKey(room: string, clientId: string): Record<string, unknown> {
  return { [partitionKey]: `${room}#msg#${clientId}`, [sortKey]: 0 };
}

/**
 * The write that turns a claim into the message's record, for the commit's transaction: it
 * holds only while the claim is still this invocation's, so a holder that was taken over cannot
 * commit a second copy.
 * @param tableName - the rooms table
 * @param held - the claim
 * @param accepted - the message's id and serial
 * @param now - the current time (the record lives for the dedup window from now)
 * @returns the transaction item
 */
export function commitClaimUpdate(
  tableName: string,
  held: Claim,
  accepted: { readonly id: string; readonly seq: number },
  now: Date,
): Condition & {
  readonly TableName: string;
  readonly Key: Record<string, unknown>;
  readonly UpdateExpression: string;
} {
  return {
    TableName: tableName,
    Key: claimKey(held.room, held.clientId),
    UpdateExpression: 'SET #state = :committed, #id = :id, #seq = :seq, #expiresAt = :expiresAt',
    ConditionExpression: '#state = :claimed AND #claimedAt = :claimedAt',
    ExpressionAttributeNames: {
      '#state': 'state',
      '#id': 'id',
      '#seq': 'seq',
      '#claimedAt': 'claimedAt',
      '#expiresAt': ttlAttribute,
    },
    ExpressionAttributeValues: {
      ':committed': COMMITTED,
      ':claimed': CLAIMED,
      ':id': accepted.id,
      ':seq': accepted.seq,
      ':claimedAt': held.claimedAt,
      ':expiresAt': toEpochSeconds(now) + dedupWindowSeconds,
    },
  };
}

/** The fields of a claim item that decide what a send does. */
interface ClaimRecord {
  readonly state: string | undefined;
  readonly claimedAt: number | undefined;
  readonly id: string | undefined;
  readonly seq: number | undefined;
}

async function claim(
  table: MessageClaimsOptions,
  room: string,
  clientId: string,
  now: Date,
): Promise<ClaimOutcome> {
  const fresh: Claim = { room, clientId, claimedAt: now.getTime() };
  // A record past its window counts as absent, though DynamoDB's TTL may not have removed it yet.
  const existing = await putClaim(table, fresh, now, {
    ConditionExpression: 'attribute_not_exists(#room) OR #expiresAt <= :now',
    ExpressionAttributeNames: { '#room': partitionKey, '#expiresAt': ttlAttribute },
    ExpressionAttributeValues: { ':now': toEpochSeconds(now) },
  });
  if (existing === undefined) return { kind: 'claimed', claim: fresh, tookOver: false };
  if (existing.state === COMMITTED && existing.id !== undefined && existing.seq !== undefined) {
    return { kind: 'committed', id: existing.id, seq: existing.seq };
  }
  const claimedAt = existing.claimedAt;
  if (claimedAt === undefined || now.getTime() - claimedAt < claimTimeoutSeconds * 1000) {
    return { kind: 'in_progress' };
  }
  // Its holder has had far longer than any invocation lives: it died. Take over, unless another
  // send took over first (then that one is accepting it).
  const taken = await putClaim(table, fresh, now, {
    ConditionExpression: '#state = :claimed AND #claimedAt = :previous',
    ExpressionAttributeNames: { '#state': 'state', '#claimedAt': 'claimedAt' },
    ExpressionAttributeValues: { ':claimed': CLAIMED, ':previous': claimedAt },
  });
  return taken === undefined
    ? { kind: 'claimed', claim: fresh, tookOver: true }
    : { kind: 'in_progress' };
}

/** A condition of a write, with its names and values. */
interface Condition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Writes a fresh claim if the condition holds.
 * @returns undefined when written; else the item that was there
 */
async function putClaim(
  table: MessageClaimsOptions,
  fresh: Claim,
  now: Date,
  condition: Condition,
): Promise<ClaimRecord | undefined> {
  const key = claimKey(fresh.room, fresh.clientId);
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...key,
          state: CLAIMED,
          claimedAt: fresh.claimedAt,
          [ttlAttribute]: toEpochSeconds(now) + dedupWindowSeconds,
        },
        ...condition,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (error.Item !== undefined) return recordFromWire(error.Item);
    // A DynamoDB stand-in that does not return the item: read it.
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
    );
    return recordOf(Item ?? {});
  }
}

async function release(table: MessageClaimsOptions, held: Claim): Promise<void> {
  try {
    await table.client.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: claimKey(held.room, held.clientId),
        ConditionExpression: '#state = :claimed AND #claimedAt = :claimedAt',
        ExpressionAttributeNames: { '#state': 'state', '#claimedAt': 'claimedAt' },
        ExpressionAttributeValues: { ':claimed': CLAIMED, ':claimedAt': held.claimedAt },
      }),
    );
  } catch {
    // Taken over meanwhile, or DynamoDB failed: the claim times out on its own.
  }
}

function recordOf(item: Record<string, unknown>): ClaimRecord {
  return {
    state: typeof item.state === 'string' ? item.state : undefined,
    claimedAt: typeof item.claimedAt === 'number' ? item.claimedAt : undefined,
    id: typeof item.id === 'string' ? item.id : undefined,
    seq: typeof item.seq === 'number' ? item.seq : undefined,
  };
}

/** The exception's `Item` comes in DynamoDB's wire format (`{ S: "…" }`, `{ N: "123" }`). */
function recordFromWire(item: Record<string, unknown>): ClaimRecord {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'object' || value === null) continue;
    if ('S' in value) plain[name] = (value as { S: unknown }).S;
    else if ('N' in value) plain[name] = Number((value as { N: unknown }).N);
  }
  return recordOf(plain);
}
