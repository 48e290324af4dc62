/**
 * Route selection without `$default` (the Forbidden frame), custom route keys, and the idle and
 * maximum-duration timers, shortened to seconds.
 */
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { isEvent, sleep } from '../support/helpers.ts';
import { useRecordingStack } from '../support/stack-setup.ts';

const routed = useRecordingStack({ routes: ['$connect', '$disconnect', 'echo'] });
// Short timers, with margins a busy machine's stalls do not eat: a silent client is closed after
// 1 s, every client after 5 s.
const timed = useRecordingStack({ idleTimeoutMs: 1000, maxConnectionMs: 5000 });

describe('route selection by $request.body.action', () => {
  it('invokes the route whose key equals the action', async () => {
    // Prepare
    const { client, connectionId } = await routed.connect('route');
    // Act
    client.sendJson({ action: 'echo', do: 'echo' });
    // Assess
    expect(await client.frame(0)).toBe('{"action":"echo","do":"echo"}');
    const message = await routed.sink.waitFor(isEvent('MESSAGE', connectionId));
    expect(message.event?.requestContext.routeKey).toBe('echo');
    await client.close();
  });

  it.each([
    ['an unknown action', '{"action":"shout"}'],
    ['no action', '{"do":"echo"}'],
    ['a frame that is not JSON', 'plain text'],
  ])('answers %s with a Forbidden frame when there is no $default', async (_name, frame) => {
    // Prepare
    const { client, connectionId } = await routed.connect(
      `forbidden-${_name.replaceAll(' ', '-')}`,
    );
    // Act
    client.socket.send(frame);
    // Assess: AWS's exact bytes; the connection stays open and usable.
    expect(await client.frame(0)).toMatch(
      new RegExp(
        `^\\{"message": "Forbidden", "connectionId":"${escapeRegExp(connectionId)}", "requestId":"[A-Za-z0-9_-]{15}="\\}$`,
      ),
    );
    client.sendJson({ action: 'echo', do: 'echo' });
    expect(await client.frame(1)).toBe('{"action":"echo","do":"echo"}');
    expect(routed.sink.records.filter(isEvent('MESSAGE', connectionId))).toHaveLength(1);
    await client.close();
  });
});

describe('connection timers', () => {
  it('closes an idle connection with 1001 "Going away"', async () => {
    // Prepare
    const { client, connectionId } = await timed.connect('idle');
    // Act: say nothing.
    const closed = await client.closed;
    // Assess
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
    const disconnect = await timed.sink.waitFor(isEvent('DISCONNECT', connectionId));
    expect(disconnect.event?.requestContext).toMatchObject({
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    });
  });

  it('keeps a connection that sends data alive past the idle timeout, until the maximum duration', async () => {
    // Prepare
    const { client } = await timed.connect('busy');
    let openedFor = 0;
    // Act: a frame every 200 ms, well inside the 1 s idle timeout, for about 2 s.
    for (; openedFor < 2000; openedFor += 200) {
      client.sendJson({ ping: openedFor });
      await sleep(200);
    }
    // Assess: still open after twice the idle timeout, then closed by the 5 s limit.
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    for (let sent = 0; client.socket.readyState === client.socket.OPEN && sent < 40; sent++) {
      client.sendJson({ ping: 'late' });
      await sleep(200);
    }
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
  });
});

describe('idle timer and outbound data', () => {
  it('counts posts to the client as activity', async () => {
    // Prepare
    const { client, connectionId } = await timed.connect('posted');
    // Act: the client stays silent; the server posts every 200 ms for about 2 s.
    for (let elapsed = 0; elapsed < 2000; elapsed += 200) {
      await timed.management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'tick' }),
      );
      await sleep(200);
    }
    // Assess: open after twice the 1 s idle timeout.
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    await client.close();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');
}
