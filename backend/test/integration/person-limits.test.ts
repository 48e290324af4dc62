/**
 * The limits that hold per person, through the real handler on dynalite: the cap on open
 * connections and the budget of frames, per source IP without sign-in and per user in an auth
 * mode, across connections and reconnections; lost `$disconnect`s that must never lock anyone
 * out; and the flooder that is disconnected.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import type { RouteResponse } from '../../src/routes/route.ts';
import type { TestDynamoDb } from '../support/dynalite.ts';
import { startTestDynamoDb } from '../support/dynalite.ts';
import { webSocketEvent } from '../support/events.ts';
import type { LiveRig } from '../support/live-handler.ts';
import { liveHandler } from '../support/live-handler.ts';

let dynamoDb: TestDynamoDb;
beforeAll(async () => {
  dynamoDb = await startTestDynamoDb('connections');
});
afterAll(async () => {
  await dynamoDb?.stop();
});

/** Who a connection is: a source IP, and in an auth mode a verified user. */
interface Who {
  readonly sourceIp: string;
  readonly user?: { readonly id: string; readonly name: string };
}

const authorizerOf = (who: Who, room: string) =>
  who.user === undefined
    ? undefined
    : { senderId: who.user.id, senderName: who.user.name, room, protocolVersion: '3' };

async function connect(rig: LiveRig, id: string, who: Who, room = 'limits'): Promise<number> {
  const response = (await rig.handler(
    webSocketEvent('$connect', {
      connectionId: id,
      sourceIp: who.sourceIp,
      query: { room, v: '3' },
      ...(who.user !== undefined && { authorizer: authorizerOf(who, room) }),
    }),
  )) as RouteResponse;
  if (response.statusCode === 200) rig.open.add(id);
  return response.statusCode;
}

async function send(
  rig: LiveRig,
  id: string,
  who: Who,
  frame: Record<string, unknown>,
  room = 'limits',
): Promise<number> {
  const response = (await rig.handler(
    webSocketEvent('$default', {
      connectionId: id,
      sourceIp: who.sourceIp,
      body: JSON.stringify(frame),
      ...(who.user !== undefined && { authorizer: authorizerOf(who, room) }),
    }),
  )) as RouteResponse;
  return response.statusCode;
}

async function disconnect(rig: LiveRig, id: string, who: Who): Promise<void> {
  rig.open.delete(id);
  await rig.handler(webSocketEvent('$disconnect', { connectionId: id, sourceIp: who.sourceIp }));
}

/** Connects `count` connections `prefix-0`… and returns their ids. */
async function fill(
  rig: LiveRig,
  prefix: string,
  who: Who,
  count = 10,
  room = 'limits',
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  for (const id of ids) expect(await connect(rig, id, who, room)).toBe(200);
  return ids;
}

describe('without sign-in, per source IP', () => {
  it('caps the open connections of one address, and leaves other addresses alone', async () => {
    // Prepare
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.1' };
    await fill(rig, 'cap', home);

    // Act
    const eleventh = await connect(rig, 'cap-10', home);
    const sameBlock = await connect(rig, 'cap-v6-a', { sourceIp: '2001:db8:9:9::1' });
    const neighbour = await connect(rig, 'cap-other', { sourceIp: '198.51.100.2' });

    // Assess
    expect(eleventh).toBe(429);
    expect(rig.logs.at(-3)).toMatchObject({
      route: '$connect',
      level: 'warn',
      outcome: 'too_many_connections',
      person: 'sourceIp',
    });
    expect([sameBlock, neighbour]).toEqual([200, 200]);
    expect(contract.limits.maxConnectionsPerPerson).toBe(10);
  });

  it('counts every address of one IPv6 /64 as one', async () => {
    const rig = liveHandler(dynamoDb, { maxConnectionsPerPerson: 2 });

    const first = await connect(rig, 'v6-1', { sourceIp: '2001:db8:7:7::1' });
    const second = await connect(rig, 'v6-2', { sourceIp: '2001:db8:7:7:abcd::2' });
    const third = await connect(rig, 'v6-3', { sourceIp: '2001:db8:7:7:ffff:ffff:ffff:ffff' });

    expect([first, second, third]).toEqual([200, 200, 429]);
  });

  it('gives a place back when its connection leaves', async () => {
    // Prepare
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.3' };
    const ids = await fill(rig, 'leave', home);

    // Act
    await disconnect(rig, ids[0] as string, home);
    const again = await connect(rig, 'leave-again', home);

    // Assess: no connection was asked about, the place was simply free
    expect(again).toBe(200);
    expect(rig.asked).toEqual([]);
  });

  it('never locks anyone out after a lost $disconnect whose item is gone', async () => {
    // Prepare: one connection's item removed without its $disconnect (as by its TTL)
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.4' };
    const ids = await fill(rig, 'ttl', home);
    rig.open.delete(ids[3] as string);
    await rig.documentClient.send(
      new DeleteCommand({ TableName: dynamoDb.tableName, Key: { connectionId: ids[3] } }),
    );

    // Act
    const again = await connect(rig, 'ttl-again', home);

    // Assess: freed from the table alone, without asking API Gateway
    expect(again).toBe(200);
    expect(rig.asked).toEqual([]);
  });

  it('never locks anyone out after lost $disconnects whose items remain: API Gateway is asked', async () => {
    // Prepare: ten connections, two of which closed without their $disconnect, a minute ago
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.5' };
    const ids = await fill(rig, 'lost', home, 10, 'lost');
    rig.advance(60_000);
    for (const id of ids.slice(0, 2)) rig.open.delete(id);

    // Act
    const first = await connect(rig, 'lost-again-1', home, 'lost');
    const second = await connect(rig, 'lost-again-2', home, 'lost');
    const third = await connect(rig, 'lost-again-3', home, 'lost');

    // Assess: both places are taken again, the closed connections are forgotten (their room's
    // count with them), and nobody was asked twice
    expect([first, second, third]).toEqual([200, 200, 429]);
    expect(rig.asked.toSorted()).toEqual(ids.toSorted());
    const joined = rig.logs.filter((line) => line.outcome === 'connected');
    expect(joined.at(-1)).toMatchObject({ members: 10 });
  });

  it('asks API Gateway about a full address at most once a minute', async () => {
    // Prepare: all ten open and settled
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.6' };
    await fill(rig, 'once', home);
    rig.advance(31_000);

    // Act
    const refused = [await connect(rig, 'once-a', home), await connect(rig, 'once-b', home)];
    const askedFirst = rig.asked.length;
    rig.advance(60_000);
    const later = await connect(rig, 'once-c', home);

    // Assess
    expect(refused).toEqual([429, 429]);
    expect(askedFirst).toBe(10);
    expect(later).toBe(429);
    expect(rig.asked).toHaveLength(20);
  });

  it('never asks about a connection under 30 s old, which may still be in its $connect', async () => {
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.7' };
    const ids = await fill(rig, 'young', home);
    for (const id of ids) rig.open.delete(id);

    const tooSoon = await connect(rig, 'young-a', home);
    rig.advance(60_000);
    const later = await connect(rig, 'young-b', home);

    expect(tooSoon).toBe(429);
    expect(later).toBe(200);
  });

  it('shares one budget among all sockets of an address: more sockets or reconnecting gain nothing', async () => {
    // Prepare
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.8' };
    const away = { sourceIp: '198.51.100.9' };
    await connect(rig, 'budget-a', home);
    await connect(rig, 'budget-b', home);
    await connect(rig, 'budget-away', away);

    // Act: a uses the burst; a fresh connection from the same address, b, and another address
    // try after it
    const burst = [];
    for (let n = 0; n < 10; n++)
      burst.push(await send(rig, 'budget-a', home, { message: `m${n}` }));
    await disconnect(rig, 'budget-a', home);
    const reconnected = await connect(rig, 'budget-c', home);
    const fromFresh = await send(rig, 'budget-c', home, { message: 'c' });
    const fromB = await send(rig, 'budget-b', home, { message: 'b' });
    const fromAway = await send(rig, 'budget-away', away, { message: 'away' });

    // Assess
    expect(burst).toEqual(Array(10).fill(200));
    expect(reconnected).toBe(200);
    expect([fromFresh, fromB, fromAway]).toEqual([429, 429, 200]);
    expect(rig.framesTo('budget-c')).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'rate_limited' }),
    );
  });

  it('spends from the budget for every frame: pings and invalid frames too', async () => {
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.10' };
    await connect(rig, 'spend', home);

    for (let n = 0; n < 5; n++) await send(rig, 'spend', home, { action: 'ping' });
    for (let n = 0; n < 5; n++) await send(rig, 'spend', home, { message: '' });
    const message = await send(rig, 'spend', home, { message: 'now' });

    expect(message).toBe(429);
  });
});

describe('a flooder', () => {
  it('is disconnected one burst over its budget, and cannot come back until the overdraft runs down', async () => {
    // Prepare
    const rig = liveHandler(dynamoDb);
    const home = { sourceIp: '198.51.100.20' };
    await connect(rig, 'flood', home);

    // Act: 21 frames at one instant; then reconnecting at once, after 4 s, after 5 s
    const statuses = [];
    for (let n = 0; n < 21; n++)
      statuses.push(await send(rig, 'flood', home, { message: `f${n}` }));
    await disconnect(rig, 'flood', home);
    const atOnce = await connect(rig, 'flood-2', home);
    rig.advance(4000);
    const after4s = await connect(rig, 'flood-3', home);
    rig.advance(1000);
    const after5s = await connect(rig, 'flood-4', home);

    // Assess: 10 accepted, 10 refused (each told), then closed with a reason, once
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10, 20)).toEqual(Array(10).fill(429));
    expect(rig.closed).toEqual(['flood']);
    const frames = rig.framesTo('flood');
    expect(frames.filter((frame) => frame.code === 'rate_limited')).toHaveLength(10);
    expect(frames.at(-1)).toMatchObject({ type: 'error', code: 'too_many_frames' });
    expect(rig.logs.filter((line) => line.outcome === 'flood_disconnected')).toHaveLength(1);
    expect([atOnce, after4s, after5s]).toEqual([429, 429, 200]);
  });
});

describe('signed in, per user', () => {
  const ada = { id: 'AdaAdaAdaAdaAda0', name: 'Ada' };
  const bob = { id: 'BobBobBobBobBob0', name: 'Bob' };

  it("caps a user's connections wherever they come from, and not another user's", async () => {
    // Prepare: Frank's ten connections from several addresses
    const frank = { id: 'FrankFrankFrank0', name: 'Frank' };
    const grace = { id: 'GraceGraceGrace0', name: 'Grace' };
    const rig = liveHandler(dynamoDb, { authMode: 'cognito' });
    for (let n = 0; n < 10; n++) {
      expect(await connect(rig, `frank-${n}`, { sourceIp: `203.0.113.${n}`, user: frank })).toBe(
        200,
      );
    }

    // Act
    const eleventh = await connect(rig, 'frank-10', { sourceIp: '203.0.113.99', user: frank });
    const graceFromFranksAddress = await connect(rig, 'grace-0', {
      sourceIp: '203.0.113.1',
      user: grace,
    });

    // Assess
    expect([eleventh, graceFromFranksAddress]).toEqual([429, 200]);
  });

  it('gives every message the verified name and sender id, whatever the frame says', async () => {
    // Prepare
    const carol = { id: 'CarolCarolCarol0', name: 'Carol' };
    const dave = { id: 'DaveDaveDaveDav0', name: 'Dave' };
    const rig = liveHandler(dynamoDb, { authMode: 'oidc' });
    const here = '203.0.113.60';
    await connect(rig, 'named-ada', { sourceIp: here, user: carol }, 'named');
    await connect(rig, 'named-bob', { sourceIp: here, user: dave }, 'named');

    // Act
    const status = await send(
      rig,
      'named-ada',
      { sourceIp: here, user: carol },
      { message: 'hello', senderName: 'Dave' },
      'named',
    );

    // Assess
    expect(status).toBe(200);
    expect(rig.framesTo('named-bob')).toContainEqual(
      expect.objectContaining({
        type: 'message',
        message: 'hello',
        senderId: carol.id,
        senderName: 'Carol',
      }),
    );
  });

  it("shares one budget among all of a user's connections, not among an address's", async () => {
    // Prepare: Ada in two tabs; Bob behind the same address
    const rig = liveHandler(dynamoDb, { authMode: 'cognito' });
    const here = '203.0.113.50';
    expect(await connect(rig, 'tab-1', { sourceIp: here, user: ada })).toBe(200);
    expect(await connect(rig, 'tab-2', { sourceIp: here, user: ada })).toBe(200);
    expect(await connect(rig, 'bobs', { sourceIp: here, user: bob })).toBe(200);

    // Act
    const burst = [];
    for (let n = 0; n < 10; n++) {
      burst.push(await send(rig, 'tab-1', { sourceIp: here, user: ada }, { message: `${n}` }));
    }
    const otherTab = await send(rig, 'tab-2', { sourceIp: here, user: ada }, { message: 'x' });
    const bobs = await send(rig, 'bobs', { sourceIp: here, user: bob }, { message: 'hi' });

    // Assess
    expect(burst).toEqual(Array(10).fill(200));
    expect([otherTab, bobs]).toEqual([429, 200]);
  });
});
