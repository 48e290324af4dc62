/**
 * The page repeats two of the server's rules, to recognise its own messages and name its own
 * lines before the server does: the sender id (a hash of the issuer and the subject) and the
 * verified display name. This test holds the page's copies to the authorizer's own code. It sits
 * with the tests that run in Node.js because the server's code does (the page's unit tests are
 * compiled for the browser).
 */
import { describe, expect, it } from 'vitest';
import {
  displayNameFor,
  senderIdFor as serverSenderIdFor,
} from '../../../backend/src/auth/sender.ts';
import contract from '../../../contract/contract.json' with { type: 'json' };
import { verifiedName } from '../../src/id-token.ts';
import { senderIdFor } from '../../src/sender-id.ts';

describe('the page computes what the server computes', () => {
  it.each([
    ['cognito:eu-west-1_AbCdEf123', '7d3f0a52-9c1e-4b8a-a1f2-0123456789ab'],
    ['http://127.0.0.1:9400', 'alice'],
    ['https://login.example/realms/chat', 'ünïcode-sübject'],
  ])('the sender id of %s and %s', (namespace, subject) => {
    // Act
    const page = senderIdFor(namespace, subject);

    // Assess
    expect(page).toBe(serverSenderIdFor(namespace, subject));
    expect(page).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it.each([
    [{ name: 'Alice Liddell', preferred_username: 'alice' }],
    [{ preferred_username: 'alice' }],
    [{ name: '\u202eAdmin', nickname: 'Mallory' }],
    [{ name: '   ', 'cognito:username': 'carol' }],
    [{ name: 42, email: 'dave@example.com' }],
    [{ name: 'x'.repeat(65) }],
    [{ name: 'Cafe\u0301' }],
  ])('the verified name of %j', (claims) => {
    // Prepare
    const senderId = senderIdFor('https://i.example', 'someone');

    // Act
    const page = verifiedName(claims, senderId);

    // Assess
    expect(page).toBe(displayNameFor(claims, contract.auth.nameClaims, senderId));
  });
});
