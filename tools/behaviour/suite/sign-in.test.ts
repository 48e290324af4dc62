/**
 * Sign-in, when the target has it on (docs/auth.md), driven from outside: a handshake without a
 * valid token is refused before the socket opens, and test users chat under the names their
 * identity provider verified, whatever their frames claim. On the local stack, started with
 * sign-in for this file, the users are its dev users (signed in as `npm run dev-token` signs
 * them in); on AWS, the ones the user names (see npm run test:deployed -- --help).
 */
import { describe, expect, it } from 'vitest';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { HandshakeRefused } from '../src/chat-client.ts';
import { useChatSuite } from './support/chat-suite.ts';
import { sendAndAwaitAck } from './support/messages.ts';

const suite = useChatSuite({ signIn: true });

const TIMEOUT = { timeout: 120_000 };
const SENDER_ID = /^[A-Za-z0-9_-]{16}$/;

describe('sign-in', () => {
  it('refuses a handshake that offers no token with 401', TIMEOUT, async (context) => {
    suite.need(context, 'signIn');
    const refused = suite.join(suite.room('no-token'), { user: 'none', retryRefused: false });
    await expect(refused).rejects.toEqual(new HandshakeRefused(401));
  });

  it('refuses a token that is no token with 401', TIMEOUT, async (context) => {
    suite.need(context, 'signIn');
    const refused = suite.join(suite.room('bad-token'), {
      protocols: [contract.auth.subprotocol, `${contract.auth.tokenSubprotocolPrefix}not.a.token`],
      retryRefused: false,
    });
    await expect(refused).rejects.toEqual(new HandshakeRefused(401));
  });

  it(
    'lets test users chat under their verified names, never the ones their frames claim, each with one sender id on every connection',
    TIMEOUT,
    async (context) => {
      suite.need(context, 'signIn', 'testUser');
      // Prepare: the first user on two connections, and a second user when there is one
      const users = suite.target.signIn.on ? suite.target.signIn.users : [];
      const [first, second] = users;
      const room = suite.room('signed-in');
      const firstHere = await suite.join(room, { user: first });
      const firstThere = await suite.join(room, { user: first });
      const other = second === undefined ? undefined : await suite.join(room, { user: second });

      // Act: the first user claims another name; then writes from the other connection
      await sendAndAwaitAck(firstHere, 'from here', undefined, {
        senderName: 'Not The Verified Name',
      });
      await sendAndAwaitAck(firstThere, 'from there');
      const fromHere = await firstThere.waitForMessage('from here');
      const fromThere = await firstHere.waitForMessage('from there');

      // Assess: the chat's subprotocol was chosen, never the token; the verified name and one id
      expect(firstHere.protocol).toBe(contract.auth.subprotocol);
      expect(fromHere.senderName).not.toBe('Not The Verified Name');
      expect(fromHere.senderName).toEqual(first?.verifiedName ?? expect.any(String));
      expect(fromHere.senderId).toMatch(SENDER_ID);
      expect(fromThere.senderId).toBe(fromHere.senderId);
      if (other !== undefined) {
        await sendAndAwaitAck(other, 'from the other user');
        const fromOther = await firstHere.waitForMessage('from the other user');
        expect((await other.waitForMessage('from here')).senderId).toBe(fromHere.senderId);
        expect(fromOther.senderName).toEqual(second?.verifiedName ?? expect.any(String));
        expect(fromOther.senderId).toMatch(SENDER_ID);
        expect(fromOther.senderId).not.toBe(fromHere.senderId);
      }
    },
  );
});
