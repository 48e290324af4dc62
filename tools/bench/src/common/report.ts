/**
 * What every benchmark's report is made of: tables, rendered as plain text for the terminal or as
 * Markdown for docs/benchmark-figures.md from the same rows (so the file shows exactly what the
 * run printed), the formatters of their cells, and verdicts on targets.
 */

/** A table: a title, column headings and rows of already formatted cells. */
export interface Table {
  readonly title: string;
  readonly headings: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table (targets, notes). */
  readonly notes?: readonly string[];
}

/** The verdict on one target. */
export interface TargetCheck {
  readonly description: string;
  readonly met: boolean;
  readonly measured: string;
  /** A correctness check: missing it makes `npm run bench` exit with 1 (a speed check never does). */
  readonly decides?: boolean;
}

/**
 * Renders a table with aligned columns: text left, figures right.
 * @param table - the table
 * @returns the lines joined with newlines, ending without one
 */
export function renderTextTable(table: Table): string {
  const widths = table.headings.map((heading, column) =>
    Math.max(heading.length, ...table.rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    widths
      .map((width, column) => {
        const cell = cells[column] ?? '';
        return column === 0 || !looksNumeric(cell) ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    table.title,
    line(table.headings),
    rule,
    ...table.rows.map(line),
    ...(table.notes ?? []).map((note) => `  ${note}`),
  ].join('\n');
}

/**
 * Renders a table as GitHub Markdown under its title in bold, its notes as a list below, figures
 * right-aligned, columns padded the way the repo's formatter (Biome) writes Markdown tables, so
 * the written figures stay lint-clean.
 * @param table - the table
 * @returns the Markdown lines joined with newlines
 */
export function renderMarkdownTable(table: Table): string {
  const escapeCell = (cell: string): string => cell.replaceAll('|', '\\|');
  const headings = table.headings.map(escapeCell);
  const rows = table.rows.map((row) => headings.map((_, column) => escapeCell(row[column] ?? '')));
  const rightAligned = headings.map(
    (_, column) =>
      column > 0 && rows.length > 0 && rows.every((row) => looksNumeric(row[column] ?? '')),
  );
  const widths = headings.map((heading, column) =>
    Math.max(3, heading.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return rightAligned[column] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(' | ')} |`;
  const rule = `| ${widths
    .map((width, column) =>
      rightAligned[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
    )
    .join(' | ')} |`;
  const notes = (table.notes ?? []).map((note) => `- ${note}`);
  return [
    `**${table.title}**`,
    '',
    line(headings),
    rule,
    ...rows.map(line),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

/**
 * Formats milliseconds for a table: whole numbers from 100 ms, one decimal below.
 * @param ms - a duration
 * @returns e.g. `0.8 ms`, `12.3 ms`, `1,250 ms`
 */
export function formatMs(ms: number): string {
  const digits = ms >= 100 ? 0 : 1;
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`;
}

/**
 * Formats a ratio to the baseline.
 * @param value - our figure
 * @param baseline - the lower bound's figure
 * @returns e.g. `3.2x`, or `-` when the baseline is zero or missing
 */
export function formatRatio(value: number, baseline: number | undefined): string {
  if (baseline === undefined || baseline <= 0 || !Number.isFinite(value)) return '-';
  return `${(value / baseline).toFixed(1)}x`;
}

/**
 * Formats a byte count in mebibytes.
 * @param bytes - e.g. a resident set size
 * @returns e.g. `142.5 MB`, or `-` when unknown
 */
export function formatMegabytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  return `${formatTenths(bytes / 1024 / 1024)} MB`;
}

/**
 * Formats kibibytes with one decimal and thousands separators.
 * @param bytes - a size in bytes
 * @returns e.g. `1,417.8 KB`
 */
export function formatKilobytes(bytes: number): string {
  return `${formatTenths(bytes / 1024)} KB`;
}

function formatTenths(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/**
 * Formats a whole number with thousands separators.
 * @param value - a count
 * @returns e.g. `10,000`
 */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function looksNumeric(cell: string): boolean {
  return /^[-+]?[\d,.]+\s*(ms|s|MB|KB|x|%|\/s)?$/.test(cell) || cell === '-';
}

/**
 * The median of a few measurements (the bench's usual summary: this machine is noisy).
 * @param values - the measurements
 * @returns their median, NaN for none
 */
export function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * Adds figures up.
 * @param values - the figures
 * @returns their sum, 0 for none
 */
export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
