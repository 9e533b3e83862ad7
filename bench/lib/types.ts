/** One measured figure, always beside its baseline from the same run. */
export interface BenchFigure {
  name: string;
  unit: string;
  ours: number;
  baseline: number | null;
  /** ours / baseline (for latencies > 1 means slower; for rates < 1 means fewer) */
  ratio: number | null;
  /** the target, as text, and whether this run met it */
  target?: string;
  met?: boolean;
  note?: string;
}

export interface BenchSection {
  section: string;
  description: string;
  figures: BenchFigure[];
  details?: Record<string, unknown>;
}

export function figure(
  name: string,
  unit: string,
  ours: number,
  baseline: number | null,
  extra: Partial<BenchFigure> = {},
): BenchFigure {
  const ratio = baseline !== null && baseline !== 0 ? ours / baseline : null;
  return {
    name,
    unit,
    ours: round(ours),
    baseline: baseline === null ? null : round(baseline),
    ratio: ratio === null ? null : round(ratio, 3),
    ...extra,
  };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
