import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchSection } from './types';

/** Prints the table and writes bench/results.json. */
export function report(sections: BenchSection[], meta: Record<string, unknown>): void {
  const rows: string[][] = [['section', 'figure', 'ours', 'baseline', 'ratio', 'target', 'met']];
  for (const section of sections) {
    for (const f of section.figures) {
      rows.push([
        section.section,
        f.name,
        `${f.ours} ${f.unit}`,
        f.baseline === null ? '-' : `${f.baseline} ${f.unit}`,
        f.ratio === null ? '-' : String(f.ratio),
        f.target ?? '',
        f.met === undefined ? '' : f.met ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const file = path.resolve(__dirname, '..', 'results.json');
  fs.writeFileSync(file, `${JSON.stringify({ ...meta, sections }, null, 2)}\n`);
  console.log(`\nwritten ${file}`);
}
