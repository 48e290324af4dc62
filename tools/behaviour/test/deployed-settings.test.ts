import { describe, expect, it } from 'vitest';
import {
  outputsOf,
  regionOfApi,
  SettingsError,
  settingsFromJson,
  siteUrlOf,
  websocketUrlOf,
} from '../src/deployed-settings.ts';

const WSS = 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/prod';

describe('the URLs', () => {
  it('keeps the stage of a WebSocket URL and drops a trailing slash, a query and a fragment', () => {
    expect(websocketUrlOf(`${WSS}/?room=x#y`)).toBe(WSS);
    expect(websocketUrlOf('ws://127.0.0.1:3001/prod')).toBe('ws://127.0.0.1:3001/prod');
  });

  it.each([
    ['https://abc.execute-api.eu-west-1.amazonaws.com/prod', 'must start with wss://'],
    ['not a url', 'is not a URL'],
  ])('refuses %s as the WebSocket URL', (raw, message) => {
    expect(() => websocketUrlOf(raw)).toThrow(new RegExp(message));
  });

  it('takes http and https pages and refuses the rest', () => {
    expect(siteUrlOf('https://d111.cloudfront.net')).toBe('https://d111.cloudfront.net/');
    expect(() => siteUrlOf('ftp://example.com/')).toThrow(SettingsError);
  });

  it('reads the region from an API Gateway host, and nothing from any other', () => {
    expect(regionOfApi(WSS)).toBe('eu-west-1');
    expect(regionOfApi('wss://chat.example.com/')).toBeUndefined();
    expect(regionOfApi('ws://127.0.0.1:3001/prod')).toBeUndefined();
  });
});

describe('terraform output -json', () => {
  it('gives the two URLs and the connections table', () => {
    // Prepare: as terraform prints it
    const json = JSON.stringify({
      websocket_url: { sensitive: false, type: 'string', value: WSS },
      website_url: {
        sensitive: false,
        type: 'string',
        value: 'http://b.s3-website.eu-west-1.amazonaws.com',
      },
      table_name: { sensitive: false, type: 'string', value: 'awsome-chat-connections' },
      function_name: { sensitive: false, type: 'string', value: 'awsome-chat' },
    });
    // Act, Assess
    expect(outputsOf(json, 'terraform/')).toEqual({
      websocketUrl: WSS,
      siteUrl: 'http://b.s3-website.eu-west-1.amazonaws.com/',
      tableName: 'awsome-chat-connections',
    });
  });

  it.each([
    ['{}', 'has no websocket_url or website_url'],
    ['not json', 'did not print JSON'],
  ])('says what is wrong with %s', (json, message) => {
    expect(() => outputsOf(json, 'terraform/')).toThrow(new RegExp(message));
  });
});

describe('the settings in the environment', () => {
  it('come back as they were written, and a value of something else is refused', () => {
    const settings = {
      websocketUrl: WSS,
      siteUrl: 'https://d111.cloudfront.net/',
      tableName: undefined,
      region: 'eu-west-1',
      rateLimit: { burst: 10, perSecond: 2 },
      clientAddress: undefined,
    };
    expect(settingsFromJson(JSON.stringify(settings))).toEqual(
      JSON.parse(JSON.stringify(settings)),
    );
    expect(() => settingsFromJson('{"websocketUrl": 1}')).toThrow(SettingsError);
  });
});
