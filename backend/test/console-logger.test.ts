import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsoleLogLine } from '../src/console-logger.ts';
import { createConsoleLogger } from '../src/console-logger.ts';

const LINE = {
  level: 'info',
  route: '$default',
  connectionId: 'conn0000000000A=',
  requestId: 'req-1',
  outcome: 'broadcast',
  durationMs: 17,
  delivered: 3,
  gone: 0,
  failed: 0,
} as const satisfies ConsoleLogLine;

/** Spies on the three console methods the logger may call, printing nothing. */
function spyOnConsole(): Record<'info' | 'warn' | 'error', ReturnType<typeof vi.spyOn>> {
  return {
    info: vi.spyOn(console, 'info').mockImplementation(() => {}),
    warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
    error: vi.spyOn(console, 'error').mockImplementation(() => {}),
  };
}

afterEach(() => vi.restoreAllMocks());

describe('createConsoleLogger under Lambda JSON log format', () => {
  it('passes the line as the one object argument, so its fields land under "message"', () => {
    // Prepare
    const spies = spyOnConsole();
    const log = createConsoleLogger('JSON');

    // Act
    log(LINE);

    // Assess: exactly one call, with exactly one argument, the object itself (the runtime writes
    // a single argument as {"timestamp","level","requestId","message": <argument>})
    expect(spies.info.mock.calls).toEqual([[LINE]]);
    const [argument] = spies.info.mock.calls[0] ?? [];
    expect(typeof argument).toBe('object');
    // What the runtime's JSON.stringify makes of it keeps every field as a queryable field
    expect(JSON.parse(JSON.stringify({ message: argument })).message).toEqual(LINE);
    expect(spies.warn).not.toHaveBeenCalled();
    expect(spies.error).not.toHaveBeenCalled();
  });

  it.each([
    ['warn', 'warn'],
    ['error', 'error'],
    ['info', 'info'],
  ] as const)('writes a %s line with console.%s', (level, method) => {
    // Prepare
    const spies = spyOnConsole();
    const line = { ...LINE, level };

    // Act
    createConsoleLogger('JSON')(line);

    // Assess
    expect(spies[method].mock.calls).toEqual([[line]]);
    const others = (['info', 'warn', 'error'] as const).filter((name) => name !== method);
    for (const other of others) expect(spies[other]).not.toHaveBeenCalled();
  });

  it('reads the format case-insensitively, as the runtime does', () => {
    const spies = spyOnConsole();

    createConsoleLogger('json')(LINE);

    expect(spies.info.mock.calls).toEqual([[LINE]]);
  });
});

describe('createConsoleLogger without the JSON log format', () => {
  it.each([
    ['unset (the local stack, tests)', undefined],
    ['the text format', 'Text'],
  ])('writes the line as one line of JSON text when %s', (_, logFormat) => {
    // Prepare
    const spies = spyOnConsole();

    // Act
    createConsoleLogger(logFormat)({ ...LINE, level: 'warn' });

    // Assess
    expect(spies.warn.mock.calls).toEqual([[JSON.stringify({ ...LINE, level: 'warn' })]]);
    const [text] = spies.warn.mock.calls[0] ?? [];
    expect(String(text)).not.toContain('\n');
    expect(spies.info).not.toHaveBeenCalled();
  });
});
