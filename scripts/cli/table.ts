/** A cell: plain text, or text with how to show it (a colour), measured by its plain text. */
export type Cell = string | { text: string; show: (padded: string) => string };

/**
 * Lines of a table whose columns are as wide as their widest cell, two spaces apart. Colour codes
 * take no room on screen, so cells are padded before they are coloured.
 */
export function table(header: string[], rows: Cell[][]): string[] {
  const text = (c: Cell) => (typeof c === 'string' ? c : c.text);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => text(r[i] ?? '').length)),
  );
  const line = (cells: Cell[]) =>
    cells
      .map((c, i) => {
        const padded = text(c).padEnd(i === cells.length - 1 ? 0 : widths[i]);
        return typeof c === 'string' ? padded : c.show(padded);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
