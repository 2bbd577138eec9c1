/**
 * @racesync/report — one self-contained HTML picture of what a sync did. Used by the example runner
 * (`--report FILE.html`) and the day benchmark (`--report FILE.html`, both strategies side by side).
 */
export { peakUse, slidingUse } from './charts/calls.ts';
export { CHANGE_TYPES } from './charts/timeline.ts';
export { type CheckOptions, type CheckResult, checkReportRenders } from './check.ts';
export {
  CHROMIUM_FLAGS,
  DEFAULT_CHROMIUM,
  type ScreenshotOptions,
  type ScreenshotResult,
  screenshotHtml,
} from './chromium.ts';
export {
  escapeHtml,
  formatClock,
  formatCount,
  formatDuration,
  formatInterval,
  formatTime,
} from './format.ts';
export type { LagDistribution, ReportBucket, ReportChange, ReportData, ReportRun } from './model.ts';
export { analysePng, type DecodedPng, decodePng, type PngContent } from './png.ts';
export { FLOOR_COLOR, RUN_COLORS, renderReport } from './render.ts';
export {
  bucketOf,
  DEFAULT_BASES,
  type RequestLog,
  recordRequests,
  type UpstreamBases,
} from './request-log.ts';
