import { formatCount, formatInterval } from '../format.ts';
import type { ReportBucket } from '../model.ts';
import { type Frame, f, timeAxis, upperBound } from './axis.ts';

/**
 * Sliding-window use of a bucket, one value per column of [start, end): the most requests found in
 * any window of `intervalMs` ending inside the column — exactly what the limit constrains.
 */
export function slidingUse(
  calls: readonly number[],
  intervalMs: number,
  start: number,
  end: number,
  columns: number,
): number[] {
  const sorted = [...calls].sort((a, b) => a - b);
  const countAt = (t: number) => upperBound(sorted, t) - upperBound(sorted, t - intervalMs);
  const width = Math.max(end - start, 1) / columns;
  const out: number[] = [];
  let i = upperBound(sorted, start - 1);
  for (let c = 0; c < columns; c++) {
    const from = start + c * width;
    const to = from + width;
    let value = countAt(from);
    while (i < sorted.length && sorted[i]! < to) {
      if (sorted[i]! >= from) value = Math.max(value, countAt(sorted[i]!));
      i++;
    }
    out.push(value);
  }
  return out;
}

/** Peak sliding-window use over the whole run. */
export function peakUse(calls: readonly number[], intervalMs: number): number {
  const sorted = [...calls].sort((a, b) => a - b);
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[lo]! <= sorted[hi]! - intervalMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

export interface CallsChartOptions {
  width: number;
  height: number;
  start: number;
  end: number;
  /** Upper end of the y axis (shared by the charts of one bucket). */
  yMax: number;
  color: string;
  /**
   * Request times of the floor (e.g. the oracle) in this bucket, drawn as a dark stepped line.
   * @default none
   */
  floor?: readonly number[];
}

/**
 * Area chart of a bucket's sliding-window use with its limit as a dashed line, and the floor's use
 * as a dark line when given.
 */
export function callsChart(bucket: ReportBucket, o: CallsChartOptions): string {
  const frame: Frame = { x: 34, y: 6, w: o.width - 54, h: o.height - 26 };
  const columns = Math.max(1, Math.floor(frame.w / 2));
  const use = slidingUse(bucket.calls, bucket.intervalMs, o.start, o.end, columns);
  const colW = frame.w / columns;
  const y = (v: number) => frame.y + frame.h - (Math.min(v, o.yMax) / o.yMax) * frame.h;
  const area = (values: number[]) => {
    let d = `M${f(frame.x)},${f(frame.y + frame.h)}`;
    values.forEach((v, c) => {
      d += `L${f(frame.x + c * colW)},${f(y(v))}L${f(frame.x + (c + 1) * colW)},${f(y(v))}`;
    });
    return `${d}L${f(frame.x + frame.w)},${f(frame.y + frame.h)}Z`;
  };
  const over = use.some((v) => v > bucket.capacity);
  const floorLine = (values: number[]) => {
    let d = '';
    values.forEach((v, c) => {
      d += `${c === 0 ? 'M' : 'L'}${f(frame.x + c * colW)},${f(y(v))}L${f(frame.x + (c + 1) * colW)},${f(y(v))}`;
    });
    return `<path class="floor" d="${d}" fill="none" stroke="#111827" stroke-width="1.25" stroke-linejoin="round"/>`;
  };
  const limitY = y(bucket.capacity);
  const parts = [
    `<svg class="chart" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" role="img" aria-label="${bucket.name}: requests per ${formatInterval(bucket.intervalMs)} window">`,
    timeAxis(frame, o.start, o.end, Math.max(3, Math.floor(frame.w / 80))),
    `<text class="tick" x="${frame.x - 5}" y="${f(frame.y + frame.h + 3)}" text-anchor="end">0</text>`,
  ];
  if (over) parts.push(`<path d="${area(use)}" fill="#dc2626" fill-opacity="0.85"/>`);
  parts.push(
    `<path d="${area(use.map((v) => Math.min(v, bucket.capacity)))}" fill="${o.color}" fill-opacity="0.45" stroke="${o.color}" stroke-width="1" stroke-linejoin="round"/>`,
    ...(o.floor ? [floorLine(slidingUse(o.floor, bucket.intervalMs, o.start, o.end, columns))] : []),
    `<line class="limit" x1="${f(frame.x)}" y1="${f(limitY)}" x2="${f(frame.x + frame.w)}" y2="${f(limitY)}"/>`,
    `<text class="tick limit-label" x="${frame.x - 5}" y="${f(limitY + 3)}" text-anchor="end">${formatCount(bucket.capacity)}</text>`,
    `<title>${bucket.name}: ${formatCount(bucket.calls.length)} requests; at most ${formatCount(bucket.capacity)} per ${formatInterval(bucket.intervalMs)} allowed</title>`,
    '</svg>',
  );
  return parts.join('');
}
