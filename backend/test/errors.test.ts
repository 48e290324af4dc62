import { GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import {
  ChatError,
  ConfigError,
  errorName,
  PostToConnectionError,
  toPostToConnectionError,
} from '../src/errors.ts';

/** An SDK v3 service error as the client throws it: a name and the response's status. */
function serviceError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error('from the service'), { name, $metadata: { httpStatusCode } });
}

describe('the error hierarchy', () => {
  it('names each error by its class and keeps what it wraps as its cause', () => {
    const cause = new Error('underneath');

    const error = new ConfigError('TABLE_NAME must be set', { cause });

    expect(error).toBeInstanceOf(ChatError);
    expect(error.name).toBe('ConfigError');
    expect(error.cause).toBe(cause);
  });
});

describe('toPostToConnectionError', () => {
  it.each([
    ['GoneException', 410, 'gone'],
    ['ForbiddenException', 403, 'forbidden'],
    ['LimitExceededException', 429, 'throttled'],
    ['InternalServerErrorException', 500, 'unavailable'],
    ['ServiceUnavailable', 503, 'unavailable'],
    ['PayloadTooLargeException', 413, 'rejected'],
    ['BadRequestException', 400, 'rejected'],
  ] as const)(
    'types %s (%i) as %s, keeping the service name and the SDK error',
    (name, status, kind) => {
      const sdkError = serviceError(name, status);

      const typed = toPostToConnectionError(sdkError);

      expect(typed).toBeInstanceOf(PostToConnectionError);
      expect(typed.kind).toBe(kind);
      expect(typed.name).toBe(name);
      expect(typed.$metadata.httpStatusCode).toBe(status);
      expect(typed.cause).toBe(sdkError);
    },
  );

  it('types an error without a status (network, timeout) as unavailable', () => {
    const typed = toPostToConnectionError(
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    );

    expect(typed.kind).toBe('unavailable');
    expect(typed.$metadata.httpStatusCode).toBeUndefined();
  });

  it("knows the SDK's own GoneException by its name and status", () => {
    const gone = new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } });

    expect(toPostToConnectionError(gone).kind).toBe('gone');
  });

  it('returns an error that is already typed as it is', () => {
    const typed = new PostToConnectionError('GoneException', 410);

    expect(toPostToConnectionError(typed)).toBe(typed);
  });
});

describe('errorName', () => {
  it('logs an error by its name only, and anything else as UnknownError', () => {
    expect(errorName(serviceError('ThrottlingException', 400))).toBe('ThrottlingException');
    expect(errorName('a string')).toBe('UnknownError');
  });
});
