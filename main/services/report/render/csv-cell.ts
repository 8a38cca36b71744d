/**
 * CSV cells that a spreadsheet cannot run (CSV or formula injection, OWASP's guidance). Excel,
 * LibreOffice and Google Sheets read a cell starting with `=`, `+`, `-` or `@` as a formula, and
 * skip a leading tab or carriage return before deciding, so a hypothesis such as
 * `=HYPERLINK("http://x","y")` in results.csv or segments.csv would become a live link (or
 * worse) the moment someone opens the report's CSV. Text cells starting with one of those
 * characters get a leading `'`, which spreadsheets take as "this cell is text"; the text itself
 * is kept whole after it. Only text goes through here: numbers are written as numbers by
 * `csvField`, so a score delta of -1.5 stays a number a spreadsheet can sum.
 */

/** The first characters that make a spreadsheet evaluate a cell (OWASP CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** `text` as a cell a spreadsheet shows as text: prefixed with `'` when it could run. */
export function inertCsvText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
