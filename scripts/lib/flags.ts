/**
 * What the two command lines (`npm start`, `npm run bench`) share: flags read with node:util's
 * parseArgs, one error for a flag the user got wrong, and the checks of flag values, so both
 * commands word the same mistake the same way.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A flag the user got wrong; the message says which and what it takes. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The option definitions parseArgs takes. */
export type FlagDefinitions = NonNullable<ParseArgsConfig['options']>;

type StrictConfig<T extends FlagDefinitions> = {
  args: string[];
  options: T;
  strict: true;
  allowPositionals: false;
};

/** The values parseArgs returns for `T`. */
export type FlagValues<T extends FlagDefinitions> = ReturnType<
  typeof parseArgs<StrictConfig<T>>
>['values'];

/**
 * Reads `argv` strictly: unknown flags, missing values and positional arguments are errors.
 * @param argv - the arguments after the script name
 * @param definitions - the flags the command knows
 * @param hint - appended to parseArgs' own message, e.g. where the help is
 * @returns the flags' raw values
 * @throws UsageError naming the flag parseArgs refused
 */
export function readFlags<T extends FlagDefinitions>(
  argv: readonly string[],
  definitions: T,
  hint?: string,
): FlagValues<T> {
  try {
    return parseArgs({
      args: [...argv],
      options: definitions,
      strict: true,
      allowPositionals: false,
    }).values as FlagValues<T>;
  } catch (error) {
    // parseArgs already names the flag ("Unknown option '--foo'").
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\.?\s*$/, '');
    throw new UsageError(hint === undefined ? reason : `${reason}. ${hint}`, { cause: error });
  }
}

/**
 * A whole number flag.
 * @param flag - the flag's name, for the message
 * @param raw - its value, undefined when not given
 * @param fallback - what an absent flag means
 * @param min - the smallest value allowed
 * @param max - the largest value allowed
 * @returns the number, or `fallback`
 * @throws UsageError when the value is not a whole number in range
 */
export function parseInteger<F extends number | undefined>(
  flag: string,
  raw: string | undefined,
  fallback: F,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number | F {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw new UsageError(`${flag} must be a whole number, got '${raw}'`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be at least ${min}, got ${raw}`);
  }
  if (value > max) throw new UsageError(`${flag} must be at most ${max}, got ${raw}`);
  return value;
}

/**
 * A number flag of 0 or more (fractions allowed).
 * @param flag - the flag's name, for the message
 * @param raw - its value, undefined when not given
 * @param fallback - what an absent flag means
 * @returns the number, or `fallback`
 * @throws UsageError when the value is not a number of 0 or more
 */
export function parseNumber<F extends number | undefined>(
  flag: string,
  raw: string | undefined,
  fallback: F,
): number | F {
  return numberAbove(flag, raw, fallback, 0, true);
}

/**
 * A number flag greater than 0 (fractions allowed), such as a duration.
 * @param flag - the flag's name, for the message
 * @param raw - its value, undefined when not given
 * @param fallback - what an absent flag means
 * @returns the number, or `fallback`
 * @throws UsageError when the value is not a number greater than 0
 */
export function parsePositiveNumber<F extends number | undefined>(
  flag: string,
  raw: string | undefined,
  fallback: F,
): number | F {
  return numberAbove(flag, raw, fallback, 0, false);
}

function numberAbove<F extends number | undefined>(
  flag: string,
  raw: string | undefined,
  fallback: F,
  bound: number,
  boundAllowed: boolean,
): number | F {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value < bound ||
    (value === bound && !boundAllowed)
  ) {
    const range = boundAllowed ? `of ${bound} or more` : `greater than ${bound}`;
    throw new UsageError(`${flag} must be a number ${range}, got '${raw}'`);
  }
  return value;
}

/**
 * A comma-separated list of whole numbers, each at least `min`.
 * @param flag - the flag's name, for the message
 * @param raw - its value
 * @param min - the smallest value allowed
 * @returns the numbers in the order given
 * @throws UsageError when the list is empty or an entry is not allowed
 */
export function parseIntegerList(flag: string, raw: string, min: number): number[] {
  const parts = raw.split(',').filter((part) => part.trim() !== '');
  if (parts.length === 0) throw new UsageError(`${flag} needs a comma-separated list of numbers`);
  return parts.map((part) => parseInteger(flag, part.trim(), min, min));
}
