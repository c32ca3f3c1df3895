/**
 * Plain-text tables for the side-by-side benchmark output, and the number
 * formats every scenario prints with.
 */

/** A column: its header and whether its cells are right-aligned (numbers). */
export interface Column {
  header: string;
  numeric?: boolean;
}

/** Renders a titled table: header, rule, one line per row. */
export function renderTable(title: string, columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((col, c) =>
    Math.max(col.header.length, ...rows.map((row) => (row[c] ?? "").length)),
  );
  const render = (cells: readonly string[]): string =>
    columns
      .map((col, c) => {
        const cell = cells[c] ?? "";
        return col.numeric === true ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!);
      })
      .join("  ")
      .trimEnd();
  return [
    title,
    render(columns.map((col) => col.header)),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(render),
  ].join("\n");
}

/** An integer with thousands separators; "—" when not a finite number. */
export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";
}

/** Milliseconds with two decimals; "—" when not a finite number. */
export function ms(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : "—";
}

/** A ratio such as "1.52×"; "—" when either side is missing. */
export function ratio(value: number, base: number): string {
  const r = value / base;
  return Number.isFinite(r) && base > 0 ? `${r.toFixed(2)}×` : "—";
}
