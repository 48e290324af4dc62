/**
 * `npm start`'s command line on its own: what it parses, and that the help text states the
 * defaults the stack really uses when a flag is left out.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/lib/flags.ts';
import { FLAGS, HELP_TEXT, parseCommandLine } from '../src/cli-options.ts';
import { type LocalStackOptions, resolveLocalStackOptions } from '../src/stack.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The help text's entries by flag, continuation lines joined. */
function helpEntries(): Map<string, string> {
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const line of HELP_TEXT.split('\n')) {
    const flag = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line)?.[1];
    if (flag !== undefined) {
      current = flag;
      entries.set(flag, line);
    } else if (current !== undefined && /^ {20,}\S/.test(line)) {
      entries.set(current, `${entries.get(current)} ${line.trim()}`);
    } else current = undefined;
  }
  return entries;
}

/** The help's default of each flag that states one. */
function helpDefaults(): Record<string, string> {
  return Object.fromEntries(
    [...helpEntries()]
      .map(([flag, text]) => [flag, /\(default ([^;)]+)/.exec(text)?.[1]] as const)
      .filter((entry): entry is readonly [string, string] => entry[1] !== undefined),
  );
}

/** docs/local-stack.md's `npm start` flag table: flag to its default column, without backticks. */
function documentedFlagDefaults(): Record<string, string> {
  const doc = readFileSync(`${REPO_ROOT}docs/local-stack.md`, 'utf8');
  const rows = doc.matchAll(/^\| `(--[\w-]+)[^`]*`[^|]*\|([^|]*)\|/gm);
  return Object.fromEntries(
    [...rows].map(([, flag, value]) => [flag, (value ?? '').replaceAll('`', '').trim()]),
  );
}

function options(argv: string[]): LocalStackOptions {
  const command = parseCommandLine(argv);
  if (command.help) throw new Error('expected options, got --help');
  return command.options;
}

describe('the help text', () => {
  it('states, for every flag with a default, what the stack uses without the flag', () => {
    // Prepare: what `npm start` with no flags runs.
    const stack = resolveLocalStackOptions(options([]));
    const expected: Record<string, string> = {
      '--host': stack.host,
      '--http-port': String(stack.httpPort),
      '--ws-port': String(stack.wsPort),
      '--dynamo-port': String(stack.dynamoPort),
      '--stage': stack.stage,
      '--handler': `${relative(REPO_ROOT, stack.handlerPath)}#${stack.handlerExport}`,
      '--route': stack.routes.join(' '),
      '--site': relative(REPO_ROOT, stack.siteDir),
      '--idle-timeout': String(stack.idleTimeoutMs / 1000),
      '--max-connection-duration': String(stack.maxConnectionMs / 1000),
      '--integration-timeout': String(stack.integrationTimeoutMs / 1000),
      '--function-timeout': String(stack.functionTimeoutMs / 1000),
      '--concurrency': String(stack.maxConcurrency),
      '--memory': String(stack.memoryMb),
      '--sqs-port': String(stack.sqsPort),
    };
    // Act, Assess
    expect(helpDefaults()).toEqual(expected);
  });

  it("states the same flags and defaults as docs/local-stack.md's flag table", () => {
    // Prepare
    const inHelp = helpDefaults();
    // Act
    const inDocs = documentedFlagDefaults();
    // Assess
    expect(Object.keys(inDocs).sort()).toEqual(
      [...helpEntries().keys()].filter((flag) => flag !== '--help').sort(),
    );
    expect(inDocs['--full-cpu']).toBeDefined();
    for (const [flag, value] of Object.entries(inHelp)) {
      expect(inDocs[flag], flag).toContain(value);
    }
  });

  it('lists every flag the parser accepts, and the parser accepts every flag it lists', () => {
    const flags = [...helpEntries().keys()];
    expect([...flags].sort()).toEqual(
      Object.keys(FLAGS)
        .map((name) => `--${name}`)
        .sort(),
    );
    const switches = new Set(['--help', '--full-cpu', '--auth']);
    // A flag that only goes with a switch is tried with it.
    const withSwitch: Record<string, string[]> = { '--issuer-port': ['--auth'] };
    for (const flag of flags.filter((name) => !switches.has(name))) {
      const value =
        flag === '--route'
          ? '$default'
          : flag === '--env'
            ? 'A=b'
            : flag === '--memory'
              ? '512'
              : '1';
      expect(
        () => parseCommandLine([...(withSwitch[flag] ?? []), flag, value]),
        flag,
      ).not.toThrow();
    }
    expect(() => parseCommandLine(['--full-cpu'])).not.toThrow();
    expect(() => parseCommandLine(['--auth'])).not.toThrow();
  });
});

describe('parseCommandLine, sign-in', () => {
  it('runs the issuer on port 3002 with --auth, or on --issuer-port', () => {
    expect(options(['--auth']).auth).toEqual({ issuerPort: 3002 });
    expect(options(['--auth', '--issuer-port', '0']).auth).toEqual({ issuerPort: 0 });
    expect(options([]).auth).toBeUndefined();
  });

  it('refuses --auth with a --host other machines reach, and --issuer-port without --auth', () => {
    expect(() => parseCommandLine(['--auth', '--host', '0.0.0.0'])).toThrow(UsageError);
    expect(() => parseCommandLine(['--issuer-port', '4000'])).toThrow(UsageError);
    expect(options(['--auth', '--host', '127.0.0.1']).auth).toEqual({ issuerPort: 3002 });
  });
});

describe('parseCommandLine', () => {
  it('asks for help with -h and --help', () => {
    expect(parseCommandLine(['-h'])).toEqual({ help: true });
    expect(parseCommandLine(['--help'])).toEqual({ help: true });
  });

  it('reads the flags into stack options', () => {
    // Act
    const parsed = options([
      '--host=0.0.0.0',
      '--http-port=0',
      '--stage=dev',
      '--handler=./my.mjs#main',
      '--route=$connect',
      '--route=sendmessage',
      '--env=A=b=c',
      '--idle-timeout=0.5',
      '--concurrency=4',
      '--callback-rate=500',
    ]);
    // Assess
    expect(parsed).toMatchObject({
      host: '0.0.0.0',
      httpPort: 0,
      wsPort: 3001,
      stage: 'dev',
      handlerExport: 'main',
      routes: ['$connect', 'sendmessage'],
      env: { A: 'b=c' },
      idleTimeoutMs: 500,
      maxConcurrency: 4,
      callbackRate: 500,
    });
    expect(parsed.handlerPath).toMatch(/\/my\.mjs$/);
  });

  it('leaves the callback budget unlimited without --callback-rate', () => {
    expect(options([]).callbackRate).toBeUndefined();
    expect(resolveLocalStackOptions(options([])).callbackRate).toBeUndefined();
  });

  it.each([
    [['--ws-port', '70000'], '--ws-port must be at most 65535, got 70000'],
    [['--dynamo-port', 'x'], "--dynamo-port must be a whole number, got 'x'"],
    [['--concurrency', '65'], '--concurrency must be at most 64, got 65'],
    [['--concurrency', '0'], '--concurrency must be at least 1, got 0'],
    [['--function-timeout', '0'], "--function-timeout must be a number greater than 0, got '0'"],
    [['--stage', 'a/b'], "--stage takes letters, digits, - and _, got 'a/b'"],
    [['--handler', 'x.mjs#'], '--handler takes FILE or FILE#EXPORT, e.g. ./my-handler.mjs#handler'],
    [['--env', '=x'], "--env takes NAME=VALUE, got '=x'"],
    [['--callback-rate', '0'], '--callback-rate must be at least 1, got 0'],
    [['--callback-rate', '2.5'], "--callback-rate must be a whole number, got '2.5'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(new UsageError(message));
  });
});
