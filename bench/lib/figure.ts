/** What every figure reports: the value, its reference in the same run, and the target it is held to. */

export interface Target {
  /** Which number the target applies to. */
  on: 'value' | 'ratio' | 'lost';
  op: '<=' | '>=';
  limit: number;
}

export interface Row {
  id: string;
  figure: string;
  value: number;
  unit: string;
  reference?: { label: string; value: number };
  ratio?: number;
  /** Watch fan-out only: events that never arrived. */
  lost?: number;
  target: Target;
  targetText: string;
  pass: boolean;
  note?: string;
}

export function row(r: Omit<Row, 'pass' | 'ratio'> & { ratio?: number }): Row {
  const ratio = r.ratio ?? (r.reference && r.reference.value > 0 ? r.value / r.reference.value : undefined);
  const subject = r.target.on === 'value' ? r.value : r.target.on === 'ratio' ? ratio : r.lost;
  const pass = subject !== undefined && Number.isFinite(subject)
    && (r.target.op === '<=' ? subject <= r.target.limit : subject >= r.target.limit);
  return { ...r, ratio, pass };
}

/** The run's sizes: the full run follows the issue; --quick shrinks every size and duration. */
export interface Sizes {
  quick: boolean;
  /** Seconds of load for each throughput figure. */
  seconds: number;
  startupRuns: number;
  connections: number;
  listPods: number;
  watchers: number;
  watchChanges: number;
  watchPerSecond: number;
  stsParallel: number;
  stsOrdered: number;
  dnsNames: number;
  dnsInFlight: number;
  memoryPods: number;
}

export const fullSizes: Sizes = {
  quick: false, seconds: 5, startupRuns: 5, connections: 32, listPods: 10_000, watchers: 200, watchChanges: 10_000, watchPerSecond: 1_000,
  stsParallel: 1_000, stsOrdered: 200, dnsNames: 1_000, dnsInFlight: 64, memoryPods: 100_000,
};

export const quickSizes: Sizes = {
  quick: true, seconds: 1.5, startupRuns: 3, connections: 32, listPods: 2_000, watchers: 50, watchChanges: 2_000, watchPerSecond: 1_000,
  stsParallel: 200, stsOrdered: 50, dnsNames: 1_000, dnsInFlight: 64, memoryPods: 20_000,
};

export type Progress = (message: string) => void;
