import * as os from 'node:os';
import { BenchEnv } from '../lib/env';
import { RawAri } from '../lib/raw-ari';
import { CpuSpent, cpuSpent } from '../lib/cpu';
import { atRate, summary } from '../lib/stats';
import { BenchSection, figure, round } from '../lib/types';
import { agentOf, agentsDo, Crm, twoLegPhones } from '../lib/two-leg';
import { sleep, waitUntil } from '../../test/harness/sip-peer';
import type { SectionDefinition } from './index';

const AGENTS = 10;
let shared: Promise<{ env: BenchEnv; raw: RawAri; agents: string[] }> | undefined;

/** One environment for the call sections: started on first use, stopped by teardown. */
export function callEnv() {
  shared ??= (async () => {
    const env = await BenchEnv.start({ RING_TIMEOUT: '120', CUSTOMER_RING_TIMEOUT: '60' });
    env.peer.recordDetails = false;
    await env.createTokens(400);
    const agents = await env.agents(AGENTS);
    const raw = await RawAri.connect(env.context.pbx.ariPort, env.context.pbx.ariPassword);
    return { env, raw, agents };
  })();
  return shared;
}

export async function stopCallEnv(): Promise<void> {
  if (!shared) return;
  const { env, raw } = await shared;
  raw.close();
  await env.stop();
}

export { agentOf, agentsDo };

/** Core-milliseconds per call summed over every process of the run (API, worker, both Asterisks, PostgreSQL, load generator). */
function coreMsPerCall(cpu: CpuSpent, calls: number): number {
  return (Object.values(cpu).reduce((a, b) => a + b, 0) * 1000) / Math.max(1, calls);
}

/**
 * click-to-call API latency at 100 requests/s with many tokens, against a bare script doing
 * only the ARI create+dial the API does; then the same at a rate this machine can carry with
 * the whole control plane (BENCH_LOW_RATE, 20/s), to show the overhead without CPU queueing.
 * The agents' phones refuse at once so calls stay short.
 */
async function clickToCallLatency(): Promise<BenchSection> {
  const { env, raw, agents } = await callEnv();
  agentsDo(env, agents, { kind: 'reject', cause: 'busy' });
  const rate = Number(process.env.BENCH_RATE ?? 100);
  const lowRate = Number(process.env.BENCH_LOW_RATE ?? 20);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const placeOurs = async (i: number) => {
    const response = await fetch(`${env.api.url}/api/pbx/calls/click-to-call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.token()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        from_extension: agentOf(agents, i),
        to_phone: `0900${String(i).padStart(6, '0')}`,
        trunk_id: env.trunkId,
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
  };
  const placeBare = async (i: number) => void (await raw.originate(`PJSIP/${agentOf(agents, i)}`));
  // warm up both paths, then alternate rounds so both see the same machine
  await atRate(20, 1_000, placeOurs);
  await atRate(20, 1_000, placeBare);

  const measure = async (perSecond: number) => {
    const runs = {
      ours: { latencies: [] as number[], errors: 0, elapsed: 0, cpu: {} as CpuSpent },
      bare: { latencies: [] as number[], errors: 0, elapsed: 0, cpu: {} as CpuSpent },
    };
    for (let round = 0; round < 2; round++) {
      for (const [which, place] of [
        ['bare', placeBare],
        ['ours', placeOurs],
      ] as const) {
        const before = env.cpu();
        const result = await atRate(perSecond, seconds * 1000, place);
        await sleep(1_000); // the calls' hangups are part of their cost
        const run = runs[which];
        for (const [k, v] of Object.entries(cpuSpent(before, env.cpu()))) run.cpu[k] = round2((run.cpu[k] ?? 0) + v);
        run.latencies.push(...result.latencies);
        run.errors += result.errors;
        run.elapsed += result.elapsedMs;
      }
    }
    const o = summary(runs.ours.latencies);
    const b = summary(runs.bare.latencies);
    console.log(
      `  at ${perSecond}/s: CPU seconds, ours ${JSON.stringify(runs.ours.cpu)}; bare ${JSON.stringify(runs.bare.cpu)}`,
    );
    return { runs, o, b };
  };

  const high = await measure(rate);
  const low = await measure(lowRate);
  const figures = [];
  for (const [perSecond, m] of [
    [rate, high],
    [lowRate, low],
  ] as const) {
    const { runs, o, b } = m;
    const atTarget = perSecond === 100;
    figures.push(
      figure(`at ${perSecond}/s: latency p50`, 'ms', o.p50, b.p50),
      figure(`at ${perSecond}/s: latency p99`, 'ms', o.p99, b.p99),
      figure(
        `at ${perSecond}/s: p99 overhead over bare originate`,
        'ms',
        o.p99 - b.p99,
        null,
        atTarget ? { target: '≤ 5 ms', met: o.p99 - b.p99 <= 5 } : {},
      ),
      figure(
        `at ${perSecond}/s: throughput`,
        'req/s',
        (runs.ours.latencies.length * 1000) / runs.ours.elapsed,
        (runs.bare.latencies.length * 1000) / runs.bare.elapsed,
      ),
      figure(`at ${perSecond}/s: errors`, 'requests', runs.ours.errors, runs.bare.errors),
      figure(
        `at ${perSecond}/s: CPU per call, all processes`,
        'core-ms',
        coreMsPerCall(runs.ours.cpu, runs.ours.latencies.length),
        coreMsPerCall(runs.bare.cpu, runs.bare.latencies.length),
      ),
    );
  }
  return {
    section: 'click-to-call-latency',
    description: `POST /api/pbx/calls/click-to-call vs bare ARI create+dial at the same rate, ${rate}/s then ${lowRate}/s (${2 * seconds} s each, ${AGENTS} agents, 400 tokens)`,
    figures,
    details: {
      [`${rate}_per_s`]: {
        ours: high.o,
        bare: high.b,
        cpu_seconds: { ours: high.runs.ours.cpu, bare: high.runs.bare.cpu },
      },
      [`${lowRate}_per_s`]: {
        ours: low.o,
        bare: low.b,
        cpu_seconds: { ours: low.runs.ours.cpu, bare: low.runs.bare.cpu },
      },
      cpus: os.cpus().length,
    },
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Answered two-leg calls per second through the whole flow (API → agent rings → answers →
 * customer → bridge → hangup → CDR → webhooks delivered) against a raw-ARI script doing the same
 * two-leg flow on the same Asterisk and peers; plus webhook latency (Asterisk event → receiver).
 */
async function twoLegThroughput(): Promise<BenchSection> {
  const { env, raw, agents } = await callEnv();
  const calls = Number(process.env.BENCH_CALLS ?? 200);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
  // the agent answers and stays; the customer answers and hangs up 200 ms later
  twoLegPhones(env, agents);
  const crm = await Crm.start(env, '/bench');
  const { receiver, delaysByCall } = crm;

  const runPool = async (task: (i: number) => Promise<void>) => {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < calls) await task(next++);
      }),
    );
    return performance.now() - start;
  };

  raw.eventDelays.length = 0;
  let before = env.cpu();
  const rawMs = await runPool((i) =>
    raw.twoLegCall(`PJSIP/${agentOf(agents, i)}`, `PJSIP/0911${String(i).padStart(6, '0')}@trunk-${env.trunkId}`),
  );
  const rawEventDelays = [...raw.eventDelays];
  const rawCpu = cpuSpent(before, env.cpu());
  await sleep(1_000);
  before = env.cpu();

  const uuids: string[] = [];
  /** one click-to-call through the whole flow: resolves once its pbx.cdr.created reached the CRM */
  const fullCall = (i: number, prefix: string, into: string[]) => crm.fullCall(agents, i, prefix, into);
  const oursMs = await runPool((i) => fullCall(i, '0922', uuids));
  const oursCpu = cpuSpent(before, env.cpu());
  console.log(`  CPU seconds for ${calls} calls, ours: ${JSON.stringify(oursCpu)}`);
  console.log(`  CPU seconds for ${calls} calls, raw: ${JSON.stringify(rawCpu)}`);
  const cdrs = await env.request(
    'GET',
    `/api/pbx/cdrs?limit=500&from=${new Date(Date.now() - 3_600_000).toISOString()}`,
    undefined,
    env.token(),
  );
  const ourCdrs = (cdrs.body.data as Array<{ call_uuid: string; disposition: string }>).filter((c) =>
    uuids.includes(c.call_uuid),
  );
  const cdrEvents = receiver
    .on('/bench')
    .map((r) => JSON.parse(r.body))
    .filter((e) => e.type === 'pbx.cdr.created' && uuids.includes(e.call_uuid));

  // webhook latency at a sustained rate this machine carries (the pool above saturates it)
  const pacedRate = Number(process.env.BENCH_WEBHOOK_RATE ?? 5);
  const pacedSeconds = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 20);
  const paced: string[] = [];
  await sleep(1_000);
  await atRate(pacedRate, pacedSeconds * 1000, (i) => fullCall(i, '0944', paced));
  const pacedDelays = paced.flatMap((uuid) => delaysByCall.get(uuid) ?? []);
  await crm.stop();
  const oursRate = (calls * 1000) / oursMs;
  const rawRate = (calls * 1000) / rawMs;
  const w = summary(uuids.flatMap((uuid) => delaysByCall.get(uuid) ?? []));
  const wp = summary(pacedDelays);
  const r = summary(rawEventDelays);
  return {
    section: 'two-leg-throughput',
    description: `${calls} answered two-leg calls, ${concurrency} at a time, full flow vs raw-ARI script; webhook latency during that load`,
    figures: [
      figure('answered calls per second', 'calls/s', oursRate, rawRate, {
        target: '≥ 0.9 of raw',
        met: oursRate / rawRate >= 0.9,
      }),
      figure('CDRs written', 'rows', ourCdrs.length, calls, {
        target: 'all, no duplicate',
        met: ourCdrs.length === calls && new Set(ourCdrs.map((c) => c.call_uuid)).size === calls,
      }),
      figure('cdr.created webhooks', 'events', cdrEvents.length, calls, {
        met: new Set(cdrEvents.map((e) => e.id)).size === calls && cdrEvents.length === calls,
      }),
      figure(
        'CPU per answered call, all processes',
        'core-ms',
        coreMsPerCall(oursCpu, calls),
        coreMsPerCall(rawCpu, calls),
      ),
      figure('webhook latency p50 (Asterisk event → CRM), saturated', 'ms', w.p50, r.p50),
      figure('webhook latency p99 (Asterisk event → CRM), saturated', 'ms', w.p99, r.p99, {
        target: '≤ 50 ms',
        met: w.p99 <= 50,
      }),
      figure(`webhook latency p50 (Asterisk event → CRM), ${pacedRate} calls/s sustained`, 'ms', wp.p50, r.p50),
      figure(`webhook latency p99 (Asterisk event → CRM), ${pacedRate} calls/s sustained`, 'ms', wp.p99, r.p99, {
        target: '≤ 50 ms',
        met: wp.p99 <= 50,
      }),
    ],
    details: {
      cpu_seconds: { ours: oursCpu, raw: rawCpu },
      webhook_saturated: w,
      webhook_paced: { rate: pacedRate, seconds: pacedSeconds, calls: paced.length, ...wp },
      raw_event_delivery: r,
      answered: ourCdrs.filter((c) => c.disposition === 'ANSWERED').length,
      ours_ms: round(oursMs),
      raw_ms: round(rawMs),
    },
  };
}

/** RSS of the API and the worker with 500 calls live at once, against the same processes idle. */
async function memory(): Promise<BenchSection> {
  const { env, agents } = await callEnv();
  const live = Number(process.env.BENCH_LIVE_CALLS ?? 500);
  agentsDo(env, agents, { kind: 'ring' });
  await sleep(2_000);
  const idle = { api: env.api.rssBytes(), worker: env.worker.rssBytes() };
  const statuses: Record<number, number> = {};
  const result = await atRate(50, (live / 50) * 1000, async (i) => {
    const response = await env.request(
      'POST',
      '/api/pbx/calls/click-to-call',
      { from_extension: agentOf(agents, i), to_phone: `0933${String(i).padStart(6, '0')}`, trunk_id: env.trunkId },
      env.token(),
    );
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`);
  });
  console.log(`  click-to-call answers: ${JSON.stringify(statuses)}`);
  const activeCalls = async () =>
    Number(/pbx_active_calls (\d+)/.exec(await (await fetch(env.worker.metricsUrl)).text())?.[1] ?? 0);
  await waitUntil(async () => (await activeCalls()) >= live - result.errors, 60_000, 'calls live').catch(
    async (error) => {
      const ended = await env.request(
        'GET',
        `/api/pbx/cdrs?limit=500&from=${new Date(Date.now() - 600_000).toISOString()}&phone=0933`,
        undefined,
        env.token(),
      );
      throw new Error(
        `${error}: ${await activeCalls()} live; ended meanwhile: ${JSON.stringify(ended.body.data?.slice(0, 3))}`,
      );
    },
  );
  await sleep(1_000);
  const loaded = { api: env.api.rssBytes(), worker: env.worker.rssBytes() };
  await env.peer.hangupAll();
  const mib = (bytes: number) => bytes / 2 ** 20;
  return {
    section: 'memory',
    description: `RSS with ${live - result.errors} calls live at once vs the same processes idle`,
    figures: [
      figure('api RSS', 'MiB', mib(loaded.api), mib(idle.api)),
      figure('worker RSS', 'MiB', mib(loaded.worker), mib(idle.worker)),
      figure('refused requests', 'requests', result.errors, 0),
    ],
  };
}

export const callSections: SectionDefinition[] = [
  { name: 'click-to-call-latency', run: clickToCallLatency },
  { name: 'two-leg-throughput', run: twoLegThroughput },
  { name: 'memory', run: memory },
];
