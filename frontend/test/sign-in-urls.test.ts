import { describe, expect, it } from 'vitest';
import {
  callbackKind,
  cognitoLogoutUrl,
  redirectUriFor,
  returnAddress,
  withoutCallbackParameters,
} from '../src/sign-in-urls.ts';

describe('callbackKind', () => {
  it.each([
    ['https://chat.example/?code=abc&state=s1', 'sign-in'],
    ['https://chat.example/?code=abc&state=s1&iss=https%3A%2F%2Fi.example', 'sign-in'],
    ['https://chat.example/?error=access_denied&state=s1', 'sign-in'],
    ['https://chat.example/?state=s1', 'sign-out'],
    ['https://chat.example/', undefined],
    ['https://chat.example/?room=support#support', undefined],
    ['https://chat.example/?code=abc', undefined],
  ])('%s is %s', (url, kind) => {
    // Assess
    expect(callbackKind(url)).toBe(kind);
  });
});

describe('withoutCallbackParameters', () => {
  it("drops the issuer's parameters and keeps the page's own", () => {
    // Act
    const cleaned = [
      withoutCallbackParameters('https://chat.example/?code=a&state=b&session_state=c&iss=d'),
      withoutCallbackParameters('https://chat.example/?error=x&error_description=y&state=b'),
      withoutCallbackParameters('https://chat.example/?room=support&state=b#support'),
    ];

    // Assess
    expect(cleaned).toEqual([
      'https://chat.example/',
      'https://chat.example/',
      'https://chat.example/?room=support#support',
    ]);
  });
});

describe('redirectUriFor', () => {
  it("is the page's folder, whatever the page's name, query or room", () => {
    // Act
    const uris = [
      redirectUriFor('https://d1.cloudfront.net/'),
      redirectUriFor('https://d1.cloudfront.net/index.html?room=x#support'),
      redirectUriFor('http://127.0.0.1:3000/#lobby'),
      redirectUriFor('https://example.com/chat/index.html'),
    ];

    // Assess
    expect(uris).toEqual([
      'https://d1.cloudfront.net/',
      'https://d1.cloudfront.net/',
      'http://127.0.0.1:3000/',
      'https://example.com/chat/',
    ]);
  });
});

describe('returnAddress', () => {
  const page = 'https://chat.example/?code=a&state=b';

  it('goes back to the room the person signed in from', () => {
    // Assess
    expect(returnAddress('https://chat.example/#support', page)).toBe(
      'https://chat.example/#support',
    );
  });

  it('goes home for anything that is not this site, or not an address', () => {
    // Act
    const addresses = [
      returnAddress('https://evil.example/#support', page),
      returnAddress('javascript:alert(1)', page),
      returnAddress(42, page),
      returnAddress(undefined, page),
      returnAddress('not a url', page),
    ];

    // Assess
    expect(new Set(addresses)).toEqual(new Set(['https://chat.example/']));
  });
});

describe('cognitoLogoutUrl', () => {
  it("is the managed login domain's /logout with the client id and the sign-out URL", () => {
    // Act
    const url = cognitoLogoutUrl(
      'https://chat-abc.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
      '1h57kf5cpq17m0eml12EXAMPLE',
      'https://d1.cloudfront.net/',
    );

    // Assess
    expect(url).toBe(
      'https://chat-abc.auth.eu-west-1.amazoncognito.com/logout?client_id=1h57kf5cpq17m0eml12EXAMPLE&logout_uri=https%3A%2F%2Fd1.cloudfront.net%2F',
    );
  });
});
