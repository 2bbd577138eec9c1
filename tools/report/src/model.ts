/**
 * The report's data model. Small on purpose: whoever produced a run (the example runner, the day
 * benchmark) fills it from what it observed; `renderReport` only draws it. Times are epoch ms
 * (simulated time for simulated runs), shown in UTC.
 */

/** One report: one to four runs side by side (e.g. the benchmark's strategies), and optionally a floor. */
export interface ReportData {
  /** Page title, e.g. "racesync — adaptive vs original schedule". */
  title: string;
  /** One line under the title, e.g. "seed 1 · 80 riders · 24 h simulated". */
  subtitle?: string;
  /** When the report was generated (ISO string); shown in the footer. */
  generatedAt?: string;
  /** One to four runs. With several, every chart is drawn for each, side by side, on the same scales. */
  runs: ReportRun[];
  /**
   * A run whose requests are the floor no strategy can beat (the benchmark's oracle, which reads
   * the simulator's truth): its requests are drawn as a dark line in every run's call chart, and it
   * gets its own column in the summary table. Not drawn in the lag and timeline sections.
   */
  floor?: ReportRun;
}

/** What one run did. */
export interface ReportRun {
  /** Column heading, e.g. "adaptive" or "baseline (original schedule)". */
  label: string;
  /** The run's time window, epoch ms. */
  start: number;
  end: number;
  /** Requests sent per rate-limit bucket, with the bucket's limit (sliding window). */
  buckets: ReportBucket[];
  /** Time from a team signup/withdrawal upstream to storing it; `null` = not measured (no ground truth). */
  signupLag: LagDistribution | null;
  /** Time from results being published upstream to storing them; `null` = not measured. */
  resultLag: LagDistribution | null;
  /** Change events the engine emitted (any `type`; `sync.completed` is best left out). */
  changes: ReportChange[];
  /** Extra figures for the summary table, in order, e.g. `{ 'rate-limit violations': 0 }`. */
  figures?: Record<string, string | number>;
}

/** Requests of one rate-limit bucket. */
export interface ReportBucket {
  /** Bucket name, e.g. `site`, `results`, `riders-bulk`, `clubs`. */
  name: string;
  /** The limit: at most `capacity` requests in any `intervalMs` window. */
  capacity: number;
  intervalMs: number;
  /** Times the requests were sent (any order). */
  calls: number[];
}

/** A lag distribution; the statistics are computed by the producer (e.g. the benchmark's metrics). */
export interface LagDistribution {
  /** One lag per matched change, ms. */
  samplesMs: number[];
  p50Ms: number | null;
  p95Ms: number | null;
  /** Changes never stored in time (not in `samplesMs`). */
  missed: number;
}

/** One change event. */
export interface ReportChange {
  at: number;
  /** `rider.changed`, `signup.added`, `signup.withdrawn`, `event.added`, `event.updated`, `results.ready`, `sync.failed`… */
  type: string;
}
