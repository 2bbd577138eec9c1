/** Formatting helpers shared by the report and the runner's console output. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Escapes text for HTML and SVG (element content and attribute values). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Compact duration: `850 ms`, `42 s`, `3 min 20 s`, `1 h 05 min`, `2 d 3 h`; `—` for null. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '−' : '';
  if (abs < SECOND) return `${sign}${Math.round(abs)} ms`;
  if (abs < MINUTE) return `${sign}${Math.round(abs / SECOND)} s`;
  if (abs < HOUR) {
    const m = Math.floor(abs / MINUTE);
    const s = Math.round((abs % MINUTE) / SECOND);
    return s === 0 || m >= 10 ? `${sign}${Math.round(abs / MINUTE)} min` : `${sign}${m} min ${pad(s)} s`;
  }
  if (abs < DAY) {
    const h = Math.floor(abs / HOUR);
    const m = Math.round((abs % HOUR) / MINUTE);
    return m === 60 ? `${sign}${h + 1} h` : m === 0 ? `${sign}${h} h` : `${sign}${h} h ${pad(m)} min`;
  }
  const d = Math.floor(abs / DAY);
  const h = Math.round((abs % DAY) / HOUR);
  return h === 0 ? `${sign}${d} d` : `${sign}${d} d ${h} h`;
}

/** A limit's window: `1 min`, `15 min`, `60 min`. */
export function formatInterval(ms: number): string {
  if (ms % MINUTE === 0) return `${ms / MINUTE} min`;
  if (ms % SECOND === 0) return `${ms / SECOND} s`;
  return `${ms} ms`;
}

/** `2026-01-01 18:05 UTC`. */
export function formatTime(at: number): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `18:05` (UTC). */
export function formatClock(at: number): string {
  const d = new Date(at);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Thu 18:05` (UTC). */
export function formatDayClock(at: number): string {
  return `${WEEKDAYS[new Date(at).getUTCDay()]} ${formatClock(at)}`;
}
