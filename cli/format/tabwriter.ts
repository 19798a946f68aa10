// Column alignment as Go's text/tabwriter does it with the docker CLI's settings
// (minwidth 10, tabwidth 1, padding 3, pad with spaces, no flags): every cell but a row's
// last is padded to max(minwidth, widest cell in its column block + padding). Width counts
// code points, as tabwriter counts runes.

export interface TabwriterOptions {
  readonly minWidth: number;
  readonly padding: number;
}

export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3 };

function width(text: string): number {
  return [...text].length;
}

/**
 * Aligns rows of cells. As in tabwriter, a column block is a run of consecutive rows that
 * have a padded cell in that column; widths are computed per block.
 */
export function alignColumns(
  rows: readonly (readonly string[])[],
  options: TabwriterOptions = DOCKER_TABLE,
): string {
  const widths: number[][] = rows.map((r) => new Array<number>(Math.max(r.length - 1, 0)).fill(0));
  const maxCols = rows.reduce((m, r) => Math.max(m, r.length - 1), 0);
  for (let col = 0; col < maxCols; col++) {
    let start = 0;
    while (start < rows.length) {
      if ((rows[start]?.length ?? 0) - 1 <= col) {
        start++;
        continue;
      }
      let end = start;
      let w = options.minWidth;
      while (end < rows.length && (rows[end]?.length ?? 0) - 1 > col) {
        const cell = rows[end]?.[col] ?? '';
        w = Math.max(w, width(cell) + options.padding);
        end++;
      }
      for (let i = start; i < end; i++) {
        const rowWidths = widths[i];
        if (rowWidths !== undefined) rowWidths[col] = w;
      }
      start = end;
    }
  }
  let out = '';
  rows.forEach((row, i) => {
    row.forEach((cell, col) => {
      if (col < row.length - 1) {
        const w = widths[i]?.[col] ?? 0;
        out += cell + ' '.repeat(Math.max(w - width(cell), 0));
      } else {
        out += cell;
      }
    });
    out += '\n';
  });
  return out;
}
