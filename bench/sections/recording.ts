import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { BenchEnv } from '../lib/env';
import { childrenCpuSeconds, cpuSnapshot, CpuSnapshot, CpuSpent, cpuSpent } from '../lib/cpu';
import { percentile, summary } from '../lib/stats';
import { BenchSection, figure, round } from '../lib/types';
import { WebhookReceiver } from '../../test/harness/webhook-receiver';
import { sleep, waitUntil } from '../../test/harness/sip-peer';
import { TEST_RECORDINGS_DIR } from '../../test/harness/test-context';
import { agentOf, agentsDo, callEnv } from './calls';
import type { SectionDefinition } from './index';

interface Round {
  record: boolean;
  calls: number;
  errors: number;
  /** first POST until the last call's pbx.cdr.created reached the CRM */
  ms: number;
  /** until then, and (record on) until every recording was ready or failed */
  cpu: CpuSpent;
  uuids: string[];
}

/**
 * CPU of this run's processes. PostgreSQL counts only the backends of this run's database (the
 * cluster may serve other runs); `encoder` is the CPU of the worker's finished children (lame).
 */
function snapshot(env: BenchEnv, dbName: string): { procs: CpuSnapshot; encoder: number } {
  return {
    procs: cpuSnapshot([
      ['api', (_c, _n, pid) => pid === env.api.pid],
      ['worker', (_c, _n, pid) => pid === env.worker.pid],
      ['asterisk_pbx', (c) => c.includes(`/${env.context.pbx.name}/`)],
      ['asterisk_peer', (c) => c.includes(`/${env.context.peer.name}/`)],
      ['postgres', (c, comm) => comm.startsWith('postgres') && c.includes(` ${dbName} `)],
      ['load_generator', (_c, _n, pid) => pid === process.pid],
    ]),
    encoder: childrenCpuSeconds(env.worker.pid),
  };
}

function spent(before: ReturnType<typeof snapshot>, after: ReturnType<typeof snapshot>): CpuSpent {
  return { ...cpuSpent(before.procs, after.procs), encoder: round(after.encoder - before.encoder) };
}

const total = (cpu: CpuSpent) => Object.values(cpu).reduce((a, b) => a + b, 0);
const median = (values: number[]) => percentile(values, 50);

/**
 * Issue 14: two-leg click-to-call throughput and CPU per call with `"record": true` beside the
 * same calls unrecorded, in one run at the same load. Rounds alternate off/on in ABBA order
 * (off on on off off on …) so drift of the shared machine falls on both; each adjacent off/on
 * pair gives one ratio. Both phones send a tone, so the recording holds audio, not silence.
 * A recorded round's CPU window lasts until its last recording is ready (or failed): the MP3s
 * are made after the calls. Also: hangup → ready, and MP3 bytes per second of call.
 */
async function recording(): Promise<BenchSection> {
  const { env, agents } = await callEnv();
  const dbName = process.env.BENCH_DB ?? 'pbx_bench';
  const rounds = Number(process.env.BENCH_REC_ROUNDS ?? 8);
  const perRound = Number(process.env.BENCH_REC_CALLS ?? 30);
  const callMs = Number(process.env.BENCH_REC_CALL_MS ?? 3000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
  // the agent answers and stays; the customer answers, talks for callMs and hangs up
  agentsDo(env, agents, { kind: 'answer', tone: 440 });
  env.peer.setDefaultBehavior({ kind: 'answer', hangupAfterMs: callMs, tone: 1000 });
  env.peer.clearCalls();
  const db = new Client({ connectionString: env.context.databaseUrl });
  await db.connect();

  const receiver = await WebhookReceiver.start();
  const created = await env.request('POST', '/api/pbx/webhooks', {
    url: receiver.url('/rec'),
    events: ['pbx.cdr.created'],
  });
  if (created.status !== 201) throw new Error(`webhook subscription: ${JSON.stringify(created.body)}`);
  const done = new Map<string, () => void>();
  const early = new Set<string>();
  receiver.respond('/rec', (request) => {
    const event = JSON.parse(request.body);
    const resolve = done.get(event.call_uuid);
    if (resolve) resolve();
    else early.add(event.call_uuid);
    return { status: 200 };
  });

  let next = 0;
  /** POST until pbx.cdr.created reached the CRM, by call */
  const wallMs = new Map<string, number>();
  /** one click-to-call through the whole flow: resolves once its pbx.cdr.created reached the CRM */
  const fullCall = async (record: boolean, into: string[]): Promise<boolean> => {
    const i = next++;
    const t0 = performance.now();
    const response = await fetch(`${env.api.url}/api/pbx/calls/click-to-call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.token()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        from_extension: agentOf(agents, i),
        to_phone: `0955${String(i).padStart(6, '0')}`,
        trunk_id: env.trunkId,
        record,
      }),
    });
    const body = (await response.json()) as { data?: { call_uuid: string } };
    if (!body.data) return false;
    const uuid = body.data.call_uuid;
    into.push(uuid);
    if (early.has(uuid)) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      done.set(uuid, () => {
        clearTimeout(timer);
        wallMs.set(uuid, performance.now() - t0);
        resolve(true);
      });
    });
  };

  const settled = async (uuids: string[]) => {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM recordings WHERE call_uuid = ANY($1) AND status IN ('ready', 'failed')`,
      [uuids],
    );
    return rows[0].n as number;
  };

  const runRound = async (record: boolean, calls: number): Promise<Round> => {
    const uuids: string[] = [];
    let errors = 0;
    let placed = 0;
    const before = snapshot(env, dbName);
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (placed < calls) {
          placed++;
          if (!(await fullCall(record, uuids))) errors++;
        }
      }),
    );
    const ms = performance.now() - start;
    if (record)
      await waitUntil(async () => (await settled(uuids)) >= uuids.length, 120_000, 'recordings ready or failed');
    const cpu = spent(before, snapshot(env, dbName));
    return { record, calls: calls - errors, errors, ms, cpu, uuids };
  };

  // warm up both paths (JIT, connection pools, the encoder's first start)
  await runRound(false, concurrency);
  await runRound(true, concurrency);
  await sleep(1_000);

  const measured: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    // ABBA: off on on off off on on off
    const record = [false, true, true, false][r % 4];
    const result = await runRound(record, perRound);
    measured.push(result);
    console.log(
      `  round ${r + 1} record ${record ? 'on ' : 'off'}: ${result.calls} calls in ${round(result.ms / 1000)} s, ` +
        `${round((total(result.cpu) * 1000) / Math.max(1, result.calls))} core-ms/call ${JSON.stringify(result.cpu)}`,
    );
    await sleep(500);
  }
  await env.request('DELETE', `/api/pbx/webhooks/${created.body.data.id}`);
  await receiver.close();

  const off = measured.filter((r) => !r.record);
  const on = measured.filter((r) => r.record);
  const coreMs = (r: Round, part?: string) =>
    ((part ? (r.cpu[part] ?? 0) : total(r.cpu)) * 1000) / Math.max(1, r.calls);
  const rate = (r: Round) => (r.calls * 1000) / r.ms;
  const pooled = (rs: Round[], part?: string) =>
    (rs.reduce((a, r) => a + (part ? (r.cpu[part] ?? 0) : total(r.cpu)), 0) * 1000) /
    Math.max(
      1,
      rs.reduce((a, r) => a + r.calls, 0),
    );
  const pooledRate = (rs: Round[]) => (rs.reduce((a, r) => a + r.calls, 0) * 1000) / rs.reduce((a, r) => a + r.ms, 0);
  // adjacent rounds (0,1), (2,3), …: one off and one on each, in either order
  const pairs = Array.from({ length: Math.floor(measured.length / 2) }, (_, k) => {
    const [a, b] = [measured[2 * k], measured[2 * k + 1]];
    return a.record ? { on: a, off: b } : { on: b, off: a };
  });
  const cpuRatios = pairs.map((p) => round(coreMs(p.on) / coreMs(p.off), 3));
  const rateRatios = pairs.map((p) => round(rate(p.on) / rate(p.off), 3));
  const spread = (values: number[]) =>
    `pair ratios ${values.join(', ')}; min ${Math.min(...values)}, max ${Math.max(...values)}`;

  const parts = Object.keys(measured[0].cpu);
  const byPart = Object.fromEntries(
    parts.map((part) => [part, { off: round(pooled(off, part), 1), on: round(pooled(on, part), 1) }]),
  );
  console.log(`  on/off CPU per call: ${spread(cpuRatios)}; median ${median(cpuRatios)}`);
  console.log(`  on/off calls per second: ${spread(rateRatios)}; median ${median(rateRatios)}`);
  console.log(`  core-ms per call by process (off → on): ${JSON.stringify(byPart)}`);

  const recorded = on.flatMap((r) => r.uuids);
  const { rows } = await db.query(
    `SELECT r.status, r.bytes::int AS bytes, r.duration_seconds, d.billsec,
            extract(epoch FROM r.ready_at - c.ended_at) * 1000 AS ready_ms
       FROM recordings r JOIN calls c USING (call_uuid) LEFT JOIN cdrs d USING (call_uuid)
      WHERE r.call_uuid = ANY($1)`,
    [recorded],
  );
  const ready = rows.filter((row) => row.status === 'ready');
  const failed = rows.filter((row) => row.status === 'failed').length;
  const readyMs = summary(ready.map((row) => Number(row.ready_ms)));
  const bytes = ready.reduce((a, row) => a + row.bytes, 0);
  const recordedSeconds = ready.reduce((a, row) => a + row.duration_seconds, 0);
  const billSeconds = ready.reduce((a, row) => a + (row.billsec ?? 0), 0);
  const unrecorded = (
    await db.query(`SELECT count(*)::int AS n FROM recordings WHERE call_uuid = ANY($1)`, [off.flatMap((r) => r.uuids)])
  ).rows[0].n as number;
  // where a call's time goes, by mode: setup (start → customer answered), talk (→ hangup),
  // the CDR after the hangup, and the whole call as the CRM sees it (POST → cdr.created)
  const phaseRows = (
    await db.query(
      `SELECT call_uuid,
              extract(epoch FROM b_answered_at - started_at) * 1000 AS setup,
              extract(epoch FROM ended_at - b_answered_at) * 1000 AS talk,
              extract(epoch FROM created_at - ended_at) * 1000 AS cdr_after_hangup
         FROM cdrs WHERE call_uuid = ANY($1)`,
      [measured.flatMap((r) => r.uuids)],
    )
  ).rows as Array<{ call_uuid: string; setup: string; talk: string; cdr_after_hangup: string }>;
  await db.end();
  const phases = (rs: Round[]) => {
    const uuids = new Set(rs.flatMap((r) => r.uuids));
    const mine = phaseRows.filter((row) => uuids.has(row.call_uuid));
    const p50 = (values: number[]) => round(median(values), 1);
    return {
      setup_p50_ms: p50(mine.map((row) => Number(row.setup))),
      talk_p50_ms: p50(mine.map((row) => Number(row.talk))),
      cdr_after_hangup_p50_ms: p50(mine.map((row) => Number(row.cdr_after_hangup))),
      post_to_cdr_created_p50_ms: p50([...uuids].filter((u) => wallMs.has(u)).map((u) => wallMs.get(u)!)),
    };
  };
  const callPhases = { off: phases(off), on: phases(on) };
  console.log(`  call phases p50 (off, on): ${JSON.stringify(callPhases)}`);
  rmSync(TEST_RECORDINGS_DIR, { recursive: true, force: true });

  return {
    section: 'recording',
    description:
      `${rounds} rounds of ${perRound} answered two-leg click-to-calls (${callMs} ms of talk, tones both ways), ` +
      `${concurrency} at a time, record on vs off alternating ABBA; baseline = record off`,
    figures: [
      figure('answered calls per second', 'calls/s', pooledRate(on), pooledRate(off), {
        note: `${spread(rateRatios)}; median ${median(rateRatios)}`,
      }),
      figure('CPU per answered call, all processes (with encoder)', 'core-ms', pooled(on), pooled(off), {
        note: `${spread(cpuRatios)}; median ${median(cpuRatios)}`,
      }),
      figure('CPU per call: worker', 'core-ms', pooled(on, 'worker'), pooled(off, 'worker')),
      figure('CPU per call: encoder (lame)', 'core-ms', pooled(on, 'encoder'), pooled(off, 'encoder')),
      figure('CPU per call: Asterisk (PBX)', 'core-ms', pooled(on, 'asterisk_pbx'), pooled(off, 'asterisk_pbx')),
      figure('CPU per call: PostgreSQL (this database)', 'core-ms', pooled(on, 'postgres'), pooled(off, 'postgres')),
      figure(
        'call, POST → cdr.created at the CRM, p50',
        'ms',
        callPhases.on.post_to_cdr_created_p50_ms,
        callPhases.off.post_to_cdr_created_p50_ms,
        {
          note: `setup ${callPhases.on.setup_p50_ms} vs ${callPhases.off.setup_p50_ms}, talk ${callPhases.on.talk_p50_ms} vs ${callPhases.off.talk_p50_ms}, CDR after hangup ${callPhases.on.cdr_after_hangup_p50_ms} vs ${callPhases.off.cdr_after_hangup_p50_ms} ms`,
        },
      ),
      figure(
        'errors',
        'calls',
        on.reduce((a, r) => a + r.errors, 0),
        off.reduce((a, r) => a + r.errors, 0),
      ),
      figure('recordings ready / failed', 'recordings', ready.length, failed, {
        target: `${recorded.length} ready, none for unrecorded calls`,
        met: ready.length === recorded.length && unrecorded === 0,
      }),
      figure('hangup → recording ready p50', 'ms', readyMs.p50, null),
      figure('hangup → recording ready p90', 'ms', readyMs.p90, null),
      figure('MP3 bytes per recorded second', 'B/s', bytes / Math.max(1, recordedSeconds), null, {
        note: `per billed second ${round(bytes / Math.max(1, billSeconds))}; ${bytes} bytes for ${recordedSeconds} s`,
      }),
    ],
    details: {
      cpu_ratio_on_off: { pairs: cpuRatios, median: median(cpuRatios) },
      rate_ratio_on_off: { pairs: rateRatios, median: median(rateRatios) },
      core_ms_per_call_by_part: byPart,
      rounds: measured.map((r) => ({
        record: r.record,
        calls: r.calls,
        errors: r.errors,
        seconds: round(r.ms / 1000),
        calls_per_s: round(rate(r)),
        core_ms_per_call: round(coreMs(r)),
        cpu_seconds: r.cpu,
      })),
      call_phases_p50: callPhases,
      hangup_to_ready_ms: readyMs,
      failed,
      unrecorded_calls_with_a_recording: unrecorded,
    },
  };
}

export const recordingSections: SectionDefinition[] = [{ name: 'recording', run: recording }];
