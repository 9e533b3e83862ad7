import * as fs from 'node:fs';

/** CPU seconds (user + system) used so far by each process, grouped by the part it plays. */
export type CpuSnapshot = Record<string, Map<number, number>>;
/** CPU seconds each part used between two snapshots. */
export type CpuSpent = Record<string, number>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Reads /proc: every process goes to the first part whose matcher accepts it. */
export function cpuSnapshot(
  parts: Array<[name: string, match: (cmdline: string, comm: string, pid: number) => boolean]>,
): CpuSnapshot {
  const snapshot: CpuSnapshot = Object.fromEntries(parts.map(([name]) => [name, new Map<number, number>()]));
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const part = parts.find(([, match]) => match(cmdline, comm, Number(entry)));
      if (part) snapshot[part[0]].set(Number(entry), seconds);
    } catch {
      // the process ended while we read it
    }
  }
  return snapshot;
}

/**
 * CPU seconds used by each part between two snapshots, per process: a process that started
 * meanwhile counts from zero; one that ended meanwhile (a closed database connection) is left
 * out, so a figure can be low, never negative.
 */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): CpuSpent {
  const spent: CpuSpent = {};
  for (const [part, pids] of Object.entries(after)) {
    let total = 0;
    for (const [pid, seconds] of pids) total += seconds - (before[part]?.get(pid) ?? 0);
    spent[part] = Math.round(total * 100) / 100;
  }
  return spent;
}

/**
 * CPU seconds used so far by the children `pid` has waited for (cutime + cstime): the encoder
 * processes a worker spawns, which end before any snapshot could see them. 0 if `pid` is gone.
 */
export function childrenCpuSeconds(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
