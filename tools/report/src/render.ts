import { callsChart, peakUse } from './charts/calls.ts';
import { lagChart } from './charts/lag.ts';
import { binCounts, timelineChart, timelineRows } from './charts/timeline.ts';
import { escapeHtml, formatCount, formatDuration, formatInterval, formatTime } from './format.ts';
import type { LagDistribution, ReportBucket, ReportData, ReportRun } from './model.ts';

/** Colours of the runs, in order. */
export const RUN_COLORS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea'] as const;
/** Colour of the floor (e.g. the oracle). */
export const FLOOR_COLOR = '#111827';

const PAGE_WIDTH = 1200;
const GAP = 24;
const BUCKET_ORDER = [
  'site',
  'zwift-search',
  'zwift-entrants',
  'zwift-auth',
  'results',
  'riders-bulk',
  'clubs',
  'riders',
  'results-zp',
  'zwift',
];

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:#0f172a;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",sans-serif}
main{width:${PAGE_WIDTH + 64}px;margin:0 auto;padding:28px 32px 40px}
h1{font-size:26px;margin:0 0 2px}
h2{font-size:18px;margin:34px 0 4px;padding-top:14px;border-top:1px solid #e2e8f0}
h3{font-size:14px;margin:16px 0 6px}
p.sub{color:#475569;margin:0 0 18px;font-size:15px}
p.note{color:#64748b;margin:2px 0 10px;font-size:13px;max-width:${PAGE_WIDTH}px}
.grid{stroke:#e2e8f0;stroke-width:1}
.axis{stroke:#94a3b8;stroke-width:1}
.row{stroke:#e2e8f0;stroke-width:1}
.limit{stroke:#dc2626;stroke-width:1.5;stroke-dasharray:5 3}
.tick{font-size:10.5px;fill:#64748b}
.limit-label{fill:#dc2626;font-weight:600}
.row-label{font-size:12px;fill:#334155}
.row-total{font-size:12px;fill:#0f172a;font-weight:600}
.muted{fill:#94a3b8;font-weight:400}
.cols{display:flex;gap:${GAP}px;align-items:flex-start}
.cols>.cell{flex:1 1 0;min-width:0}
.cell{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:8px 10px 4px}
.cap{font-size:12.5px;color:#334155;margin:0 0 2px}
.cap b{color:#0f172a}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;background:#fff;border:1px solid #e2e8f0;border-radius:8px;font-size:13.5px;min-width:${PAGE_WIDTH / 2}px}
th,td{padding:5px 14px;text-align:left;border-bottom:1px solid #f1f5f9;vertical-align:top}
thead th{background:#f1f5f9;font-size:13.5px}
td.num{font-variant-numeric:tabular-nums}
tbody th{font-weight:500;color:#475569}
.legend{font-size:12.5px;color:#334155;margin:0 0 4px}
.legend span{margin-right:16px;white-space:nowrap}
footer{margin-top:36px;color:#94a3b8;font-size:12px}
`;

function bucketsOf(runs: readonly ReportRun[]): { name: string; capacity: number; intervalMs: number }[] {
  const byName = new Map<string, ReportBucket>();
  for (const run of runs) for (const b of run.buckets) if (!byName.has(b.name)) byName.set(b.name, b);
  const rank = (name: string) => {
    const i = BUCKET_ORDER.indexOf(name);
    return i === -1 ? BUCKET_ORDER.length : i;
  };
  return [...byName.values()]
    .filter((b) => runs.some((r) => (r.buckets.find((x) => x.name === b.name)?.calls.length ?? 0) > 0))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

const callsOf = (run: ReportRun, name: string): ReportBucket | undefined =>
  run.buckets.find((b) => b.name === name);

function lagCell(lag: LagDistribution | null): string {
  if (!lag) return '<span class="muted">not measured</span>';
  if (lag.samplesMs.length === 0) return `no samples${lag.missed ? ` · <b>${lag.missed} missed</b>` : ''}`;
  return `p50 <b>${formatDuration(lag.p50Ms)}</b> · p95 <b>${formatDuration(lag.p95Ms)}</b> · n=${formatCount(lag.samplesMs.length)} · missed ${formatCount(lag.missed)}`;
}

function swatch(i: number): string {
  const color = i < 0 ? FLOOR_COLOR : RUN_COLORS[i % RUN_COLORS.length];
  return `<span class="swatch" style="background:${color}"></span>`;
}

function summaryTable(data: ReportData): string {
  const runs = data.floor ? [...data.runs, data.floor] : data.runs;
  const swatchOf = (i: number) => swatch(data.floor && i === runs.length - 1 ? -1 : i);
  const rows: [string, string[]][] = [];
  rows.push(['window', runs.map((r) => `${formatTime(r.start)} + ${formatDuration(r.end - r.start)}`)]);
  rows.push([
    'requests',
    runs.map((r) => `<b>${formatCount(r.buckets.reduce((n, b) => n + b.calls.length, 0))}</b>`),
  ]);
  for (const b of bucketsOf(runs)) {
    rows.push([
      `&nbsp;&nbsp;${escapeHtml(b.name)}`,
      runs.map((r) => {
        const bucket = callsOf(r, b.name);
        if (!bucket) return '—';
        const peak = peakUse(bucket.calls, bucket.intervalMs);
        return `${formatCount(bucket.calls.length)} <span class="muted-text">(peak ${peak} of ${bucket.capacity} per ${formatInterval(bucket.intervalMs)})</span>`;
      }),
    ]);
  }
  rows.push(['signup lag', runs.map((r) => lagCell(r.signupLag))]);
  rows.push(['result lag', runs.map((r) => lagCell(r.resultLag))]);
  const types = timelineRows(runs.flatMap((r) => r.changes)).map(([t]) => t);
  const counted = types.filter((t) => runs.some((r) => r.changes.some((c) => c.type === t)));
  rows.push([
    'changes',
    runs.map(
      (r) =>
        counted
          .map((t) => `${escapeHtml(t)} ${formatCount(r.changes.filter((c) => c.type === t).length)}`)
          .join(' · ') || '—',
    ),
  ]);
  const figureNames = [...new Set(runs.flatMap((r) => Object.keys(r.figures ?? {})))];
  for (const name of figureNames) {
    rows.push([
      escapeHtml(name),
      runs.map((r) => {
        const v = r.figures?.[name];
        return v === undefined ? '—' : escapeHtml(typeof v === 'number' ? formatCount(v) : v);
      }),
    ]);
  }
  return [
    '<table><thead><tr><th></th>',
    ...runs.map((r, i) => `<th>${swatchOf(i)}${escapeHtml(r.label)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map(
      ([name, cells]) => `<tr><th>${name}</th>${cells.map((c) => `<td class="num">${c}</td>`).join('')}</tr>`,
    ),
    '</tbody></table>',
  ].join('');
}

function callsSection(data: ReportData, colW: number): string {
  const runs = data.runs;
  const out: string[] = [
    '<h2>Requests over time, per rate-limit bucket</h2>',
    `<p class="note">Each chart shows, along the run, the most requests made in any one window of the bucket’s length — what the limit constrains (sliding windows). The dashed red line is the limit; anything above it would be a violation and is drawn in red.${data.floor ? ` The dark line is the floor — ${escapeHtml(data.floor.label)}: the requests no strategy can do without.` : ''}</p>`,
  ];
  const buckets = bucketsOf(data.floor ? [...runs, data.floor] : runs);
  if (buckets.length === 0) out.push('<p class="note">No requests were made.</p>');
  for (const b of buckets) {
    const series = runs.map((r) => callsOf(r, b.name));
    const floor = data.floor ? (callsOf(data.floor, b.name)?.calls ?? []) : undefined;
    const peak = Math.max(
      b.capacity,
      ...series.map((s) => (s ? peakUse(s.calls, s.intervalMs) : 0)),
      floor ? peakUse(floor, b.intervalMs) : 0,
    );
    const yMax = peak * 1.18;
    out.push(
      `<h3>${escapeHtml(b.name)} <span class="muted-text">— at most ${formatCount(b.capacity)} per ${formatInterval(b.intervalMs)}</span></h3>`,
      '<div class="cols">',
    );
    runs.forEach((run, i) => {
      const bucket = series[i] ?? { ...b, calls: [] };
      out.push(
        '<div class="cell">',
        `<p class="cap">${swatch(i)}${escapeHtml(run.label)}: <b>${formatCount(bucket.calls.length)}</b> requests · peak <b>${peakUse(bucket.calls, bucket.intervalMs)}</b> of ${formatCount(bucket.capacity)}${floor ? ` · ${swatch(-1)}floor <b>${formatCount(floor.length)}</b>` : ''}</p>`,
        callsChart(bucket, {
          width: colW - 22,
          height: 118,
          start: run.start,
          end: run.end,
          yMax,
          color: RUN_COLORS[i % RUN_COLORS.length]!,
          ...(floor ? { floor } : {}),
        }),
        '</div>',
      );
    });
    out.push('</div>');
  }
  return out.join('');
}

function lagSection(data: ReportData): string {
  const runs = data.runs;
  const out = [
    '<h2>Lag: upstream change → stored</h2>',
    '<p class="note">Cumulative share of changes stored within a given time (log scale; further left is fresher). Circles mark p50 and p95. Signup lag counts every team signup or withdrawal whose race started in the window; result lag every team race whose results were published in it. Measured against the simulator’s ground truth.</p>',
  ];
  if (runs.every((r) => r.signupLag === null && r.resultLag === null)) {
    out.push(
      '<p class="note"><b>Not measured:</b> lag needs the simulator’s ground truth; runs against the real API have none.</p>',
    );
    return out.join('');
  }
  const w = (PAGE_WIDTH - GAP) / 2;
  out.push('<div class="cols">');
  for (const [title, pick] of [
    ['Signup lag (team signups and withdrawals)', (r: ReportRun) => r.signupLag],
    ['Result lag (team races)', (r: ReportRun) => r.resultLag],
  ] as const) {
    out.push(
      '<div class="cell">',
      `<h3 style="margin-top:4px">${title}</h3>`,
      '<p class="legend">',
      ...runs.map((r, i) => `<span>${swatch(i)}${escapeHtml(r.label)}: ${lagCell(pick(r))}</span><br>`),
      '</p>',
      lagChart(
        runs.map((r, i) => ({ label: r.label, color: RUN_COLORS[i % RUN_COLORS.length]!, lag: pick(r) })),
        { width: w - 22, height: 240, title },
      ),
      '</div>',
    );
  }
  out.push('</div>');
  return out.join('');
}

function timelineSection(data: ReportData, colW: number): string {
  const runs = data.runs;
  const rows = timelineRows(runs.flatMap((r) => r.changes));
  const bins = Math.max(24, Math.floor((colW - 22 - 172) / 5));
  const maxPerBin = new Map<string, number>();
  for (const [type] of rows) {
    for (const r of runs) {
      const m = Math.max(...binCounts(r.changes, type, r.start, r.end, bins));
      maxPerBin.set(type, Math.max(maxPerBin.get(type) ?? 1, m));
    }
  }
  const out = [
    '<h2>Change timeline</h2>',
    '<p class="note">What the sync stored, as it happened: change events per time bin (bar height ∝ √count; same scale for each row across runs), totals on the right. The first pass stores everything for the first time, so the first bin is tall.</p>',
    '<div class="cols">',
  ];
  runs.forEach((run, i) => {
    out.push(
      '<div class="cell">',
      `<p class="cap">${swatch(i)}${escapeHtml(run.label)}</p>`,
      timelineChart(run.changes, { width: colW - 22, start: run.start, end: run.end, rows, maxPerBin, bins }),
      '</div>',
    );
  });
  out.push('</div>');
  return out.join('');
}

/**
 * Renders `data` as one self-contained HTML page: inline CSS and SVG only — no scripts, fonts,
 * images or any other request (a Content-Security-Policy of `default-src 'none'` enforces it).
 * Sections: summary table, requests over time per bucket against the limit, signup and result lag
 * distributions, change timeline. With several runs, each chart shows them side by side on shared
 * scales; a `floor` (e.g. the benchmark's oracle) is drawn as a dark line in every call chart.
 */
export function renderReport(data: ReportData): string {
  if (data.runs.length === 0 || data.runs.length > RUN_COLORS.length) {
    throw new RangeError(`renderReport needs one to ${RUN_COLORS.length} runs (got ${data.runs.length})`);
  }
  const n = data.runs.length;
  const colW = (PAGE_WIDTH - GAP * (n - 1)) / n;
  const body = [
    `<h1>${escapeHtml(data.title)}</h1>`,
    data.subtitle ? `<p class="sub">${escapeHtml(data.subtitle)}</p>` : '',
    summaryTable(data),
    callsSection(data, colW),
    lagSection(data),
    timelineSection(data, colW),
    `<footer>Times in UTC. Generated by racesync${data.generatedAt ? ` at ${escapeHtml(data.generatedAt)}` : ''}. Self-contained: no scripts, fonts, images or network.</footer>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${CSS}.muted-text{color:#64748b;font-weight:400}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}
