/**
 * The flag checks both command lines share: each refusal names the flag and the value.
 */
import { describe, expect, it } from 'vitest';
import {
  parseInteger,
  parseIntegerList,
  parseNumber,
  parsePositiveNumber,
  readFlags,
  UsageError,
} from '../../lib/flags.ts';

const DEFINITIONS = {
  count: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  tag: { type: 'string', multiple: true },
} as const;

describe('readFlags', () => {
  it('reads strings, booleans and repeated flags', () => {
    const values = readFlags(['--count=3', '-v', '--tag', 'a', '--tag', 'b'], DEFINITIONS);
    expect(values).toEqual({ count: '3', verbose: true, tag: ['a', 'b'] });
  });

  it.each([
    [['--nope'], /^Unknown option '--nope'/],
    [['--count'], /--count/],
    [['stray'], /positional/i],
  ])('refuses %j with a UsageError', (argv, message) => {
    expect(() => readFlags(argv, DEFINITIONS)).toThrow(UsageError);
    expect(() => readFlags(argv, DEFINITIONS)).toThrow(message);
  });

  it('appends the hint to parseArgs message', () => {
    expect(() => readFlags(['--nope'], DEFINITIONS, 'See --help.')).toThrow(
      /^Unknown option '--nope'\S*\. See --help\.$/,
    );
  });
});

describe('value checks', () => {
  it('gives the fallback for an absent flag', () => {
    expect(parseInteger('--n', undefined, 7, 1)).toBe(7);
    expect(parseInteger('--n', undefined, undefined, 1)).toBeUndefined();
    expect(parseNumber('--r', undefined, 0.5)).toBe(0.5);
    expect(parsePositiveNumber('--s', undefined, undefined)).toBeUndefined();
  });

  it.each([
    [() => parseInteger('--n', '12', 0, 1, 64), 12],
    [() => parseInteger('--port', '0', 3000, 0, 65_535), 0],
    [() => parseNumber('--rate', '2.5', 0), 2.5],
    [() => parseNumber('--rate', '0', 1), 0],
    [() => parsePositiveNumber('--timeout', '0.25', undefined), 0.25],
    [() => parseIntegerList('--list', '5, 15,', 1), [5, 15]],
  ])('accepts a good value (%#)', (parse, expected) => {
    expect(parse()).toEqual(expected);
  });

  it.each([
    [() => parseInteger('--n', 'many', 0, 1), "--n must be a whole number, got 'many'"],
    [() => parseInteger('--n', '1.5', 0, 1), "--n must be a whole number, got '1.5'"],
    [() => parseInteger('--n', '0', 0, 1), '--n must be at least 1, got 0'],
    [
      () => parseInteger('--port', '65536', 0, 0, 65_535),
      '--port must be at most 65535, got 65536',
    ],
    [() => parseNumber('--rate', '-1', 0), "--rate must be a number of 0 or more, got '-1'"],
    [() => parseNumber('--rate', ' ', 0), "--rate must be a number of 0 or more, got ' '"],
    [() => parsePositiveNumber('--t', '0', 1), "--t must be a number greater than 0, got '0'"],
    [
      () => parsePositiveNumber('--t', 'soon', 1),
      "--t must be a number greater than 0, got 'soon'",
    ],
    [() => parseIntegerList('--list', ',', 1), '--list needs a comma-separated list of numbers'],
    [() => parseIntegerList('--list', '5,0', 1), '--list must be at least 1, got 0'],
  ])('refuses a bad value with one clear message (%#)', (parse, message) => {
    expect(parse).toThrow(new UsageError(message));
  });
});
