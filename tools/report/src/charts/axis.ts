import { escapeHtml, formatClock, formatDayClock } from '../format.ts';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880].map((m) => m * MINUTE);

/** Tick times for a UTC time axis over [start, end], at most `max` of them, on round steps. */
export function timeTicks(start: number, end: number, max = 8): number[] {
  const span = Math.max(end - start, 1);
  const step = STEPS.find((s) => span / s <= max) ?? Math.ceil(span / max / DAY) * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push(t);
  return ticks;
}

/** Tick label: `18:00`, or `Thu 18:00` when the axis spans more than a day. */
export function timeLabel(at: number, start: number, end: number): string {
  return end - start > DAY ? formatDayClock(at) : formatClock(at);
}

/** A number → SVG coordinate string (one decimal). */
export const f = (n: number): string => (Math.round(n * 10) / 10).toString();

export interface Frame {
  /** Left/top of the plot area inside the SVG, and its size. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Horizontal time axis at the bottom of `frame`: gridlines and labels. */
export function timeAxis(frame: Frame, start: number, end: number, maxTicks: number): string {
  const scale = (t: number) => frame.x + ((t - start) / Math.max(end - start, 1)) * frame.w;
  const parts: string[] = [];
  for (const t of timeTicks(start, end, maxTicks)) {
    const x = scale(t);
    parts.push(
      `<line class="grid" x1="${f(x)}" y1="${f(frame.y)}" x2="${f(x)}" y2="${f(frame.y + frame.h)}"/>`,
      `<text class="tick" x="${f(x)}" y="${f(frame.y + frame.h + 13)}" text-anchor="middle">${escapeHtml(timeLabel(t, start, end))}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${f(frame.x)}" y1="${f(frame.y + frame.h)}" x2="${f(frame.x + frame.w)}" y2="${f(frame.y + frame.h)}"/>`,
  );
  return parts.join('');
}

/** Number of elements of sorted `values` that are ≤ `x`. */
export function upperBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
