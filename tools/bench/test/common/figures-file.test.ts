/**
 * docs/benchmark-figures.md as `npm run bench -- --markdown` writes it: one section per benchmark,
 * each naming its run, replaced only by a run of that benchmark; and the committed file is one the
 * writer can merge into without losing a section.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  benchCommand,
  describeMachine,
  FIGURES_FILE_HEADER,
  mergeFiguresFile,
  type RunDescription,
  readSections,
  sectionMarkdown,
  writeFiguresFile,
} from '../../src/common/figures-file.ts';
import type { Table } from '../../src/common/report.ts';
import { BENCHMARK_NAMES } from '../../src/options.ts';

const FIRST_RUN: RunDescription = {
  command: 'npm run bench -- --markdown',
  date: '2026-12-01',
  machine: '2 x Example CPU, 8.0 GB, linux x64, Node.js v22.0.0',
};
const ROOMS_RUN: RunDescription = {
  command: 'npm run bench -- --only rooms --markdown',
  date: '2026-12-05',
  machine: '4 x Other CPU, 16.0 GB, linux arm64, Node.js v22.1.0',
};

const table: Table = {
  title: 'Example figures',
  headings: ['server', 'median'],
  rows: [['local stack', '380 ms']],
  notes: ['a note'],
};

describe('sectionMarkdown', () => {
  it('renders the tables, then every target met or MISSED as a list, then the failures', () => {
    // Act
    const markdown = sectionMarkdown({
      tables: [table],
      checks: [
        { description: 'median <= 1,000 ms', met: true, measured: '380 ms' },
        { description: 'nothing lost', met: false, measured: '2 lost', decides: true },
      ],
      cores: 2,
      failures: ['load: FAILED: the bundle is not built'],
    });

    // Assess
    expect(markdown.split('\n')).toEqual([
      '**Example figures**',
      '',
      '| server      | median |',
      '| ----------- | -----: |',
      '| local stack | 380 ms |',
      '',
      '- a note',
      '',
      'Targets (2 cores):',
      '',
      '- **met** median <= 1,000 ms: 380 ms',
      '- **MISSED** nothing lost: 2 lost',
      '',
      'load: FAILED: the bundle is not built',
    ]);
  });

  it('leaves the targets out when the benchmark has none', () => {
    const markdown = sectionMarkdown({ tables: [table], checks: [], cores: 2, failures: [] });
    expect(markdown).not.toContain('Targets');
  });
});

describe('mergeFiguresFile', () => {
  it('starts a new file with the header and the run named on each section', () => {
    // Act
    const text = mergeFiguresFile(
      undefined,
      [
        { benchmark: 'rooms', markdown: 'rooms figures' },
        { benchmark: 'load', markdown: 'load figures' },
      ],
      FIRST_RUN,
    );

    // Assess: the benchmarks' order, whatever order the sections came in
    expect(text.startsWith(FIGURES_FILE_HEADER)).toBe(true);
    expect(text.indexOf('## Load')).toBeLessThan(text.indexOf('## Rooms'));
    expect(text).toContain(
      'From `npm run bench -- --markdown` on 2026-12-01, on 2 x Example CPU, 8.0 GB, linux x64, Node.js v22.0.0.',
    );
    expect([...readSections(text).keys()]).toEqual(['load', 'rooms']);
    expect(text.endsWith('<!-- /bench:rooms -->\n')).toBe(true);
  });

  it('replaces only the sections of the benchmarks a run ran, and keeps the others as they were', () => {
    // Prepare
    const first = mergeFiguresFile(
      undefined,
      [
        { benchmark: 'load', markdown: 'load figures' },
        { benchmark: 'fanout', markdown: 'fan-out figures' },
        { benchmark: 'rooms', markdown: 'old rooms figures' },
        { benchmark: 'coldstart', markdown: 'cold start figures' },
      ],
      FIRST_RUN,
    );

    // Act
    const second = mergeFiguresFile(
      first,
      [{ benchmark: 'rooms', markdown: 'new rooms figures' }],
      ROOMS_RUN,
    );

    // Assess
    const before = readSections(first);
    const after = readSections(second);
    expect([...after.keys()]).toEqual(['load', 'fanout', 'rooms', 'coldstart']);
    for (const kept of ['load', 'fanout', 'coldstart'] as const) {
      expect(after.get(kept)).toBe(before.get(kept));
    }
    expect(after.get('rooms')).toContain('new rooms figures');
    expect(after.get('rooms')).toContain(
      '`npm run bench -- --only rooms --markdown` on 2026-12-05',
    );
    expect(second).not.toContain('old rooms figures');
  });

  it('changes nothing when a run brings no section', () => {
    const text = mergeFiguresFile(undefined, [{ benchmark: 'load', markdown: 'x' }], FIRST_RUN);
    expect(mergeFiguresFile(text, [], ROOMS_RUN)).toBe(text);
  });
});

describe('writeFiguresFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'figures-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file when there is none, then merges into it', async () => {
    // Prepare
    const path = join(dir, 'benchmark-figures.md');

    // Act
    await writeFiguresFile(path, [{ benchmark: 'coldstart', markdown: 'cold' }], FIRST_RUN);
    await writeFiguresFile(path, [{ benchmark: 'load', markdown: 'load' }], ROOMS_RUN);

    // Assess
    const text = await readFile(path, 'utf8');
    expect([...readSections(text).keys()]).toEqual(['load', 'coldstart']);
    expect(readSections(text).get('coldstart')).toContain(FIRST_RUN.command);
  });

  it('rewrites a file written by hand into the generated layout, keeping its sections', async () => {
    // Prepare
    const path = join(dir, 'benchmark-figures.md');
    await writeFile(path, '# Old title\n\n<!-- bench:fanout -->\nkept\n<!-- /bench:fanout -->\n');

    // Act
    await writeFiguresFile(path, [], FIRST_RUN);

    // Assess
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(FIGURES_FILE_HEADER)).toBe(true);
    expect(readSections(text).get('fanout')).toBe('kept');
  });
});

describe('the committed docs/benchmark-figures.md', () => {
  it('is in the generated layout, with a section for every benchmark', async () => {
    // Prepare
    const text = await readFile(
      new URL('../../../../docs/benchmark-figures.md', import.meta.url),
      'utf8',
    );

    // Act: a run that brings nothing rewrites the file as it is
    const merged = mergeFiguresFile(text, [], FIRST_RUN);

    // Assess
    expect(merged).toBe(text);
    expect([...readSections(text).keys()]).toEqual([...BENCHMARK_NAMES]);
  });
});

describe('describeMachine and benchCommand', () => {
  it('say what ran where, as a user would type it again', () => {
    expect(
      describeMachine({
        cpus: 2,
        cpuModel: 'AMD EPYC 7B13',
        memoryBytes: 24 * 1024 ** 3,
        platform: 'linux x64',
        node: 'v20.20.2',
      }),
    ).toBe('2 x AMD EPYC 7B13, 24.0 GB, linux x64, Node.js v20.20.2');
    expect(benchCommand([])).toBe('npm run bench');
    expect(benchCommand(['--only', 'rooms', '--markdown'])).toBe(
      'npm run bench -- --only rooms --markdown',
    );
    expect(benchCommand(['--origin', "it's here"])).toBe(
      "npm run bench -- --origin 'it'\\''s here'",
    );
  });
});
