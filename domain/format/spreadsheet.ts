import { stringify } from 'csv-stringify/sync';

// A cell a spreadsheet would run as a formula (a name typed as "=HYPERLINK(...)") is written as text.
const cell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/** A CSV file for French spreadsheets (`;`, a BOM, a header line), with no cell a spreadsheet would run as a formula. */
export function spreadsheetCsv(rows: string[][], columns: string[]): string {
  return stringify(
    rows.map((row) => row.map(cell)),
    { delimiter: ';', bom: true, header: true, columns },
  );
}
