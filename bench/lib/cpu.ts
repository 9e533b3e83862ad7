import * as fs from 'node:fs';

/** CPU seconds (user + system) used so far by each part of the benchmark, read from /proc. */
export type CpuSnapshot = Record<string, number>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Groups every process by the part it plays: matchers are tried in order on its command line. */
export function cpuSnapshot(parts: Array<[name: string, match: (cmdline: string, comm: string, pid: number) => boolean]>): CpuSnapshot {
  const totals: CpuSnapshot = Object.fromEntries(parts.map(([name]) => [name, 0]));
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const part = parts.find(([, match]) => match(cmdline, comm, Number(entry)));
      if (part) totals[part[0]] += seconds;
    } catch {
      // the process ended while we read it
    }
  }
  return totals;
}

/** CPU seconds used by each part between two snapshots. */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return Object.fromEntries(Object.keys(after).map((name) => [name, Math.round((after[name] - (before[name] ?? 0)) * 100) / 100]));
}
