/**
 * CSV (RFC 4180) for analysts who open results in a spreadsheet.
 *
 * @module
 */

/** A cell: text, a number, a boolean, or empty for `null`. */
export type Cell = string | number | boolean | null;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Writes one cell. Text that a spreadsheet would run as a formula gets a
 * leading `'`, and text with commas, quotes or line breaks is quoted.
 *
 * @param value The cell.
 * @returns Its CSV text.
 *
 * @example
 * ```ts
 * csvCell('say "hi", then'); // "\"say \"\"hi\"\", then\""
 * csvCell("=SUM(A1)"); // "'=SUM(A1)"
 * ```
 */
export function csvCell(value: Cell): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);

  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * Writes a table as CSV with a header line and CRLF line ends.
 *
 * @param header The column names.
 * @param rows The rows, each as long as the header.
 * @returns The CSV text.
 *
 * @example
 * ```ts
 * toCsv(["a", "b"], [[1, "x"]]); // "a,b\r\n1,x\r\n"
 * ```
 */
export function toCsv(
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<Cell>>,
): string {
  return [header, ...rows]
    .map((row) => `${row.map(csvCell).join(",")}\r\n`)
    .join("");
}
