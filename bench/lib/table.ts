/** Plain-text tables and number formats for the bench's console output. */

export type Cell = string | number;

/** Columns padded to their widest cell; numbers (and cells starting with a digit or `$`) align right. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((row) => row[i]?.length ?? 0)),
  );
  const numeric = headers.map((_, i) =>
    rows.every((row) => {
      const cell = row[i];
      return cell === undefined || typeof cell === 'number' || /^[-~$≈0-9.(]/.test(cell) || cell === '';
    }),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] && i > 0 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...text.map(line)].join('\n');
}

/** A number with at most `digits` decimals, without trailing zeros (1.50 → 1.5, 2.00 → 2). */
export function num(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '-';
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

export const ms = (value: number, digits = 1): string =>
  Number.isFinite(value) ? `${num(value, digits)}` : '-';

export function usd(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value === 0) return '$0';
  if (Math.abs(value) < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export const kb = (bytes: number): string => `${num(bytes / 1024, 1)} KB`;

export function heading(title: string): string {
  return `\n${title}\n${'='.repeat(title.length)}`;
}
