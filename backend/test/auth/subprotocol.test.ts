/** The token's way in (the offered subprotocols) and the protocol `$connect` chooses. */
import { describe, expect, it } from 'vitest';
import {
  CHAT_SUBPROTOCOL,
  chosenSubprotocol,
  offeredSubprotocols,
  tokenFromSubprotocols,
} from '../../src/auth/subprotocol.ts';

describe('offeredSubprotocols', () => {
  it('reads the header in any case, split at its commas', () => {
    expect(offeredSubprotocols({ 'sec-websocket-protocol': 'awsome-chat, bearer.a.b.c' })).toEqual([
      'awsome-chat',
      'bearer.a.b.c',
    ]);
    expect(offeredSubprotocols({ 'Sec-WebSocket-Protocol': ' x ,, y' })).toEqual(['x', 'y']);
    expect(offeredSubprotocols({ Origin: 'https://chat.example.com' })).toEqual([]);
    expect(offeredSubprotocols(undefined)).toEqual([]);
  });

  it('reads every repeated header when the event keeps them apart', () => {
    expect(
      offeredSubprotocols(
        { 'Sec-WebSocket-Protocol': 'bearer.t' },
        { 'Sec-WebSocket-Protocol': ['awsome-chat', 'bearer.t'] },
      ),
    ).toEqual(['awsome-chat', 'bearer.t']);
  });
});

describe('tokenFromSubprotocols', () => {
  it('finds the token after its prefix, wherever it is offered', () => {
    expect(tokenFromSubprotocols(['awsome-chat', 'bearer.eyJ.x.y'])).toBe('eyJ.x.y');
    expect(tokenFromSubprotocols(['bearer.eyJ.x.y', 'awsome-chat'])).toBe('eyJ.x.y');
  });

  it('finds none without one, with an empty one, or with one too long to be a token', () => {
    expect(tokenFromSubprotocols(['awsome-chat'])).toBeUndefined();
    expect(tokenFromSubprotocols(['bearer.'])).toBeUndefined();
    expect(tokenFromSubprotocols([`bearer.${'a'.repeat(8193)}`])).toBeUndefined();
    expect(tokenFromSubprotocols([])).toBeUndefined();
  });
});

describe('chosenSubprotocol', () => {
  it("chooses the chat's protocol when offered, and never the token", () => {
    expect(chosenSubprotocol(['bearer.secret', CHAT_SUBPROTOCOL])).toBe('awsome-chat');
    expect(chosenSubprotocol(['bearer.secret'])).toBeUndefined();
    expect(chosenSubprotocol([])).toBeUndefined();
  });
});
