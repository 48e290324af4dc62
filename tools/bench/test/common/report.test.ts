import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/common/report.ts';
import {
  formatCount,
  formatKilobytes,
  formatMegabytes,
  formatMs,
  formatRatio,
  renderMarkdownTable,
  renderTextTable,
} from '../../src/common/report.ts';

const table: Table = {
  title: 'Example',
  headings: ['server', 'median'],
  rows: [
    ['bare', '4.7 ms'],
    ['local stack', '1,250 ms'],
  ],
  notes: ['a note'],
};

describe('renderTextTable', () => {
  it('aligns text left and figures right', () => {
    // Act
    const text = renderTextTable(table);

    // Assess
    expect(text.split('\n')).toEqual([
      'Example',
      'server       median',
      '-----------  --------',
      'bare           4.7 ms',
      'local stack  1,250 ms',
      '  a note',
    ]);
  });
});

describe('renderMarkdownTable', () => {
  it('pads like the formatter, right-aligns numeric columns and escapes pipes', () => {
    // Prepare
    const withPipe: Table = { ...table, rows: [...table.rows, ['a|b', '1 ms']] };

    // Act
    const markdown = renderMarkdownTable(withPipe);

    // Assess
    expect(markdown.split('\n')).toEqual([
      '**Example**',
      '',
      '| server      |   median |',
      '| ----------- | -------: |',
      '| bare        |   4.7 ms |',
      '| local stack | 1,250 ms |',
      '| a\\|b        |     1 ms |',
      '',
      '- a note',
    ]);
  });
});

describe('formatters', () => {
  it('format milliseconds, ratios, sizes and counts', () => {
    // Act / Assess
    expect(formatMs(0.84)).toBe('0.8 ms');
    expect(formatMs(99.94)).toBe('99.9 ms');
    expect(formatMs(1250.4)).toBe('1,250 ms');
    expect(formatRatio(30, 10)).toBe('3.0x');
    expect(formatRatio(30, 0)).toBe('-');
    expect(formatRatio(30, undefined)).toBe('-');
    expect(formatMegabytes(150 * 1024 * 1024)).toBe('150.0 MB');
    expect(formatMegabytes(1011 * 1024 * 1024)).toBe('1,011.0 MB');
    expect(formatKilobytes(1_451_827)).toBe('1,417.8 KB');
    expect(formatMegabytes(undefined)).toBe('-');
    expect(formatCount(10_000)).toBe('10,000');
  });
});
