import { describe, expect, it } from 'vitest';
import {
  checkRoomName,
  defaultRoom,
  pageUrlForRoom,
  roomNameFromUrl,
  websocketUrlForRoom,
} from '../src/rooms.ts';

const rule =
  'Room names are 1 to 32 letters (a–z), digits, "-" or "_", starting with a letter or a digit.';

describe('checkRoomName', () => {
  it.each([
    ['lobby', 'lobby'],
    ['Support', 'support'],
    ['  team-chat_2 ', 'team-chat_2'],
    ['7', '7'],
    ['a'.repeat(32), 'a'.repeat(32)],
    ['0-_', '0-_'],
  ])('accepts %j as %j', (raw, room) => {
    // Act
    const check = checkRoomName(raw);

    // Assess
    expect(check).toEqual({ ok: true, room });
  });

  it.each([
    ['', `Type a room name. ${rule}`],
    ['   ', `Type a room name. ${rule}`],
    ['a'.repeat(33), `"${'a'.repeat(33)}" is 33 characters long. ${rule}`],
    ['team chat', `"team chat" contains a space. ${rule}`],
    ['-bad', `"-bad" starts with "-". ${rule}`],
    ['_bad', `"_bad" starts with "_". ${rule}`],
    ['café', `"café" contains "é". ${rule}`],
    ['a.b', `"a.b" contains ".". ${rule}`],
    ['a\u202eb', `"a\u202eb" contains U+202E. ${rule}`],
    ['a/../b', `"a/../b" contains "/". ${rule}`],
  ])('refuses %j, saying why', (raw, message) => {
    // Act
    const check = checkRoomName(raw);

    // Assess
    expect(check).toEqual({ ok: false, message });
  });
});

describe('roomNameFromUrl', () => {
  it.each([
    ['https://chat.example/', defaultRoom],
    ['https://chat.example/#', defaultRoom],
    ['https://chat.example/?room=', defaultRoom],
    ['https://chat.example/#support', 'support'],
    ['https://chat.example/?room=Support', 'Support'],
    ['https://chat.example/index.html?lang=en&room=dev#support', 'support'],
    ['https://chat.example/#team%20chat', 'team chat'],
    ['https://chat.example/#%E0%A4%A', '%E0%A4%A'],
  ])('reads %s as %j', (href, room) => {
    // Act
    const result = roomNameFromUrl(href);

    // Assess
    expect(result).toBe(room);
  });
});

describe('websocketUrlForRoom', () => {
  it.each([
    [
      'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
      'support',
      'wss://abc.execute-api.eu-west-1.amazonaws.com/prod?room=support&v=3',
    ],
    ['ws://127.0.0.1:3001/prod', 'lobby', 'ws://127.0.0.1:3001/prod?room=lobby&v=3'],
    ['wss://chat.example/prod?token=abc', 'dev', 'wss://chat.example/prod?token=abc&room=dev&v=3'],
    ['wss://chat.example/prod?room=old&v=2', 'new', 'wss://chat.example/prod?room=new&v=3'],
  ])('adds the room and the protocol version to %s', (base, room, url) => {
    // Act
    const result = websocketUrlForRoom(base, room);

    // Assess
    expect(result).toBe(url);
  });
});

describe('pageUrlForRoom', () => {
  it.each([
    ['http://site.example/', 'support', 'http://site.example/#support'],
    ['http://site.example/#support', defaultRoom, 'http://site.example/'],
    ['http://site.example/?room=Support', 'support', 'http://site.example/#support'],
    ['http://site.example/?room=support', defaultRoom, 'http://site.example/'],
    [
      'http://site.example/index.html?lang=en&room=x#x',
      'dev',
      'http://site.example/index.html?lang=en#dev',
    ],
  ])('turns %s into a link to %j', (href, room, url) => {
    // Act
    const result = pageUrlForRoom(href, room);

    // Assess
    expect(result).toBe(url);
    expect(checkRoomName(roomNameFromUrl(result))).toEqual({ ok: true, room });
  });
});
