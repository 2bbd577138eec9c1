import { escapeHtml, formatCount } from '../format.ts';
import type { ReportChange } from '../model.ts';
import { type Frame, f, timeAxis } from './axis.ts';

/** Change types in display order, with their colours; other types follow in grey. */
export const CHANGE_TYPES: [string, string][] = [
  ['signup.added', '#16a34a'],
  ['signup.withdrawn', '#dc2626'],
  ['results.ready', '#d97706'],
  ['rider.changed', '#7c3aed'],
  ['event.added', '#0891b2'],
  ['event.updated', '#64748b'],
  ['sync.failed', '#be123c'],
];

export const ROW_HEIGHT = 24;

/** The rows a set of runs needs: the known types always, others when present. */
export function timelineRows(changes: readonly ReportChange[]): [string, string][] {
  const known = new Set(CHANGE_TYPES.map(([t]) => t));
  const extra = [...new Set(changes.map((c) => c.type).filter((t) => !known.has(t)))].sort();
  return [...CHANGE_TYPES, ...extra.map((t): [string, string] => [t, '#94a3b8'])];
}

/**
 * One row per change type: a histogram strip (bar height ∝ √count per time bin, shared scale per
 * row across runs) and the total at the right.
 */
export function timelineChart(
  changes: readonly ReportChange[],
  o: {
    width: number;
    start: number;
    end: number;
    rows: [string, string][];
    /** Largest bin count per type over every run drawn side by side. */
    maxPerBin: Map<string, number>;
    bins: number;
  },
): string {
  const labelW = 118;
  const totalW = 54;
  const height = o.rows.length * ROW_HEIGHT + 22;
  const frame: Frame = { x: labelW, y: 2, w: o.width - labelW - totalW, h: o.rows.length * ROW_HEIGHT };
  const binW = frame.w / o.bins;
  const parts = [
    `<svg class="chart" width="${o.width}" height="${height}" viewBox="0 0 ${o.width} ${height}" role="img" aria-label="change timeline">`,
    timeAxis(frame, o.start, o.end, Math.max(3, Math.floor(frame.w / 80))),
  ];
  o.rows.forEach(([type, color], row) => {
    const counts = binCounts(changes, type, o.start, o.end, o.bins);
    const total = counts.reduce((a, b) => a + b, 0);
    const top = frame.y + row * ROW_HEIGHT;
    const base = top + ROW_HEIGHT - 3;
    const max = o.maxPerBin.get(type) ?? 1;
    parts.push(
      `<line class="row" x1="${frame.x}" y1="${f(base)}" x2="${frame.x + frame.w}" y2="${f(base)}"/>`,
      `<text class="row-label${total === 0 ? ' muted' : ''}" x="${labelW - 8}" y="${f(base - 4)}" text-anchor="end">${escapeHtml(type)}</text>`,
      `<text class="row-total${total === 0 ? ' muted' : ''}" x="${o.width - 4}" y="${f(base - 4)}" text-anchor="end">${formatCount(total)}</text>`,
    );
    counts.forEach((n, i) => {
      if (n === 0) return;
      const h = Math.max(3, Math.sqrt(n / max) * (ROW_HEIGHT - 6));
      parts.push(
        `<rect x="${f(frame.x + i * binW + 0.3)}" y="${f(base - h)}" width="${f(Math.max(binW - 0.6, 1))}" height="${f(h)}" fill="${color}"><title>${escapeHtml(`${type}: ${n}`)}</title></rect>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Changes of `type` per bin of [start, end). */
export function binCounts(
  changes: readonly ReportChange[],
  type: string,
  start: number,
  end: number,
  bins: number,
): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = Math.max(end - start, 1) / bins;
  for (const c of changes) {
    if (c.type !== type || c.at < start || c.at > end) continue;
    const i = Math.min(bins - 1, Math.floor((c.at - start) / width));
    counts[i]!++;
  }
  return counts;
}
