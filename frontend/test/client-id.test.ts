import { describe, expect, it } from 'vitest';
import { newClientId } from '../src/client-id.ts';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newClientId', () => {
  it('uses randomUUID where the browser offers it (a secure context)', () => {
    // Act
    const id = newClientId({
      getRandomValues: () => {
        throw new Error('not expected');
      },
      randomUUID: () => '5f0c2c1e-8f6a-4b7e-9d43-2a1e0c6b9f10',
    });

    // Assess
    expect(id).toBe('5f0c2c1e-8f6a-4b7e-9d43-2a1e0c6b9f10');
  });

  it('makes a version 4 UUID from random bytes on plain HTTP, where randomUUID is missing', () => {
    // Prepare: every byte 0xff, so the version and variant bits must be set by the function
    const allOnes = {
      getRandomValues: (array: Uint8Array<ArrayBuffer>) => array.fill(0xff),
    };

    // Act
    const id = newClientId(allOnes);

    // Assess
    expect(id).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(id).toMatch(uuidV4);
  });

  it('gives ids the server accepts as client ids, different every time', () => {
    // Act
    const ids = new Set(Array.from({ length: 100 }, () => newClientId()));

    // Assess
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
