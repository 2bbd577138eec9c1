import { escapeHtml, formatDuration } from '../format.ts';
import type { LagDistribution } from '../model.ts';
import { type Frame, f } from './axis.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const TICKS: [number, string][] = [
  [S, '1 s'],
  [10 * S, '10 s'],
  [M, '1 min'],
  [5 * M, '5 min'],
  [15 * M, '15 min'],
  [H, '1 h'],
  [6 * H, '6 h'],
  [24 * H, '24 h'],
  [7 * 24 * H, '7 d'],
];

export interface LagSeries {
  label: string;
  color: string;
  lag: LagDistribution | null;
}

/**
 * Cumulative distribution of lags on a log time axis (1 s … the largest tick above every sample),
 * one step line per run, with p50 and p95 marked.
 */
export function lagChart(series: LagSeries[], o: { width: number; height: number; title: string }): string {
  const frame: Frame = { x: 40, y: 10, w: o.width - 56, h: o.height - 34 };
  const all = series.flatMap((s) => s.lag?.samplesMs ?? []);
  const maxSample = Math.max(H, ...all);
  const xMax = TICKS.find(([t]) => t >= maxSample)?.[0] ?? maxSample;
  const lo = Math.log(S);
  const hi = Math.log(xMax);
  const x = (ms: number) => frame.x + ((Math.log(Math.max(ms, S)) - lo) / (hi - lo)) * frame.w;
  const y = (p: number) => frame.y + frame.h - p * frame.h;
  const parts = [
    `<svg class="chart" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" role="img" aria-label="${escapeHtml(o.title)}">`,
  ];
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line class="grid" x1="${frame.x}" y1="${f(y(p))}" x2="${frame.x + frame.w}" y2="${f(y(p))}"/>`,
      `<text class="tick" x="${frame.x - 5}" y="${f(y(p) + 3)}" text-anchor="end">${p * 100}%</text>`,
    );
  }
  for (const [t, label] of TICKS) {
    if (t > xMax) break;
    parts.push(
      `<line class="grid" x1="${f(x(t))}" y1="${frame.y}" x2="${f(x(t))}" y2="${frame.y + frame.h}"/>`,
      `<text class="tick" x="${f(x(t))}" y="${frame.y + frame.h + 13}" text-anchor="middle">${label}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${frame.x}" y1="${frame.y + frame.h}" x2="${frame.x + frame.w}" y2="${frame.y + frame.h}"/>`,
    `<text class="tick" x="${frame.x + frame.w}" y="${o.height - 2}" text-anchor="end">lag (log scale) →</text>`,
  );
  for (const s of series) {
    const samples = [...(s.lag?.samplesMs ?? [])].sort((a, b) => a - b);
    if (samples.length === 0) continue;
    let d = `M${f(frame.x)},${f(y(0))}`;
    samples.forEach((v, i) => {
      d += `L${f(x(v))},${f(y(i / samples.length))}L${f(x(v))},${f(y((i + 1) / samples.length))}`;
    });
    d += `L${f(frame.x + frame.w)},${f(y(1))}`;
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2" stroke-linejoin="round"><title>${escapeHtml(s.label)}</title></path>`,
    );
    for (const [p, value] of [
      [0.5, s.lag?.p50Ms],
      [0.95, s.lag?.p95Ms],
    ] as const) {
      if (value === null || value === undefined) continue;
      parts.push(
        `<circle cx="${f(x(value))}" cy="${f(y(p))}" r="4" fill="#fff" stroke="${s.color}" stroke-width="2"><title>${escapeHtml(`${s.label}: p${p * 100} ${formatDuration(value)}`)}</title></circle>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}
