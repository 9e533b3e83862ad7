/** Nearest-rank percentile of samples (ms or any unit). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summary(samples: number[]): {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
} {
  const mean = samples.reduce((a, b) => a + b, 0) / (samples.length || 1);
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
    mean,
  };
}

/** Runs `task` at a fixed rate (per second) for `durationMs`, returning each call's latency in ms. */
export async function atRate(
  perSecond: number,
  durationMs: number,
  task: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; errors: number; elapsedMs: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round((perSecond * durationMs) / 1000);
  const start = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    running.push(
      task(i).then(
        () => void latencies.push(performance.now() - t0),
        () => void errors++,
      ),
    );
  }
  await Promise.all(running);
  return { latencies, errors, elapsedMs: performance.now() - start };
}
