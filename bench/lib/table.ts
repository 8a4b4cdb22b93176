/** The bench table, as Markdown so the same text reads in a terminal and in docs/performance.md. */
import type { Row } from './figure.js';
import { formatNumber } from './stats.js';

export function renderTable(rows: Row[]): string {
  const head = ['figure', 'kubemock', 'reference', 'ratio', 'target', 'result', 'notes'];
  const body = rows.map((r) => [
    r.figure,
    `${formatNumber(r.value)} ${r.unit}`,
    r.reference ? `${formatNumber(r.reference.value)} (${r.reference.label})` : '',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '',
    r.targetText,
    r.pass ? 'pass' : 'MISS',
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
