import { BenchEnv } from '../lib/env';
import { RawAri } from '../lib/raw-ari';
import { CpuSnapshot, cpuSpent } from '../lib/cpu';
import { atRate, summary } from '../lib/stats';
import { BenchSection, figure, round } from '../lib/types';
import { WebhookReceiver } from '../../test/harness/webhook-receiver';
import { sleep, waitUntil } from '../../test/harness/sip-peer';
import type { SectionDefinition } from './index';

const AGENTS = 10;
let shared: Promise<{ env: BenchEnv; raw: RawAri; agents: string[] }> | undefined;

/** One environment for the call sections: started on first use, stopped by teardown. */
function callEnv() {
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

const agentOf = (agents: string[], i: number) => agents[i % agents.length];

/** What every agent's desk phone does with the next calls (customers follow the default behavior). */
function agentsDo(env: BenchEnv, agents: string[], behavior: Parameters<BenchEnv['peer']['setBehavior']>[1]): void {
  for (const agent of agents) env.peer.setBehavior(`phone-${agent}`, behavior);
}

/**
 * click-to-call API latency at 100 requests/s with many tokens, against a bare script doing
 * only the ARI create+dial the API does. The agents' phones refuse at once so calls stay short.
 */
async function clickToCallLatency(): Promise<BenchSection> {
  const { env, raw, agents } = await callEnv();
  agentsDo(env, agents, { kind: 'reject', cause: 'busy' });
  const rate = Number(process.env.BENCH_RATE ?? 100);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const ours: number[] = [];
  const bare: number[] = [];
  let oursErrors = 0;
  let bareErrors = 0;
  let oursElapsed = 0;
  let bareElapsed = 0;
  const placeOurs = async (i: number) => {
    const response = await fetch(`${env.api.url}/api/pbx/calls/click-to-call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.token()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ from_extension: agentOf(agents, i), to_phone: `0900${String(i).padStart(6, '0')}`, trunk_id: env.trunkId }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
  };
  const placeBare = async (i: number) => void (await raw.originate(`PJSIP/${agentOf(agents, i)}`));
  // warm up both paths, then alternate rounds so both see the same machine
  await atRate(20, 1_000, placeOurs);
  await atRate(20, 1_000, placeBare);
  const cpu = { ours: {} as CpuSnapshot, bare: {} as CpuSnapshot };
  const addCpu = (into: CpuSnapshot, spent: CpuSnapshot) => Object.entries(spent).forEach(([k, v]) => (into[k] = Math.round(((into[k] ?? 0) + v) * 100) / 100));
  for (let round = 0; round < 2; round++) {
    let before = env.cpu();
    const b = await atRate(rate, seconds * 1000, placeBare);
    await sleep(1_000); // the calls' hangups are part of their cost
    addCpu(cpu.bare, cpuSpent(before, env.cpu()));
    bare.push(...b.latencies);
    bareErrors += b.errors;
    bareElapsed += b.elapsedMs;
    before = env.cpu();
    const o = await atRate(rate, seconds * 1000, placeOurs);
    await sleep(1_000);
    addCpu(cpu.ours, cpuSpent(before, env.cpu()));
    ours.push(...o.latencies);
    oursErrors += o.errors;
    oursElapsed += o.elapsedMs;
  }
  console.log(`  CPU seconds for ${ours.length} calls, ours: ${JSON.stringify(cpu.ours)}`);
  console.log(`  CPU seconds for ${bare.length} calls, bare: ${JSON.stringify(cpu.bare)}`);
  const o = summary(ours);
  const b = summary(bare);
  return {
    section: 'click-to-call-latency',
    description: `POST /api/pbx/calls/click-to-call at ${rate}/s vs bare ARI create+dial at ${rate}/s (${2 * seconds} s each, ${AGENTS} agents, 400 tokens)`,
    figures: [
      figure('latency p50', 'ms', o.p50, b.p50),
      figure('latency p99', 'ms', o.p99, b.p99),
      figure('p99 overhead over bare originate', 'ms', o.p99 - b.p99, null, { target: '≤ 5 ms', met: o.p99 - b.p99 <= 5 }),
      figure('throughput', 'req/s', (ours.length * 1000) / oursElapsed, (bare.length * 1000) / bareElapsed),
      figure('errors', 'requests', oursErrors, bareErrors),
    ],
    details: { ours: o, bare: b, cpu_seconds: cpu },
  };
}

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
  agentsDo(env, agents, { kind: 'answer' });
  env.peer.setDefaultBehavior({ kind: 'answer', hangupAfterMs: 200 });
  env.peer.clearCalls();

  const receiver = await WebhookReceiver.start();
  const created = await env.request('POST', '/api/pbx/webhooks', { url: receiver.url('/bench'), events: ['pbx.call.ringing', 'pbx.call.answered', 'pbx.call.hangup', 'pbx.cdr.created'] });
  if (created.status !== 201) throw new Error(`webhook subscription: ${JSON.stringify(created.body)}`);
  const webhookDelays: number[] = [];
  const done = new Map<string, () => void>();
  receiver.respond('/bench', (request) => {
    const event = JSON.parse(request.body);
    webhookDelays.push(request.at - Date.parse(event.occurred_at));
    if (event.type === 'pbx.cdr.created') done.get(event.call_uuid)?.();
    return { status: 200 };
  });

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
  const rawMs = await runPool((i) => raw.twoLegCall(`PJSIP/${agentOf(agents, i)}`, `PJSIP/0911${String(i).padStart(6, '0')}@trunk-${env.trunkId}`));
  const rawEventDelays = [...raw.eventDelays];
  const rawCpu = cpuSpent(before, env.cpu());
  await sleep(1_000);
  before = env.cpu();

  const uuids: string[] = [];
  const oursMs = await runPool(async (i) => {
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      const uuidPromise = fetch(`${env.api.url}/api/pbx/calls/click-to-call`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${env.token()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ from_extension: agentOf(agents, i), to_phone: `0922${String(i).padStart(6, '0')}`, trunk_id: env.trunkId }),
      }).then(async (response) => (await response.json()) as { data?: { call_uuid: string } });
      void uuidPromise.then((body) => {
        if (!body.data) return resolve();
        uuids.push(body.data.call_uuid);
        done.set(body.data.call_uuid, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    });
    await finished;
  });
  const oursCpu = cpuSpent(before, env.cpu());
  console.log(`  CPU seconds for ${calls} calls, ours: ${JSON.stringify(oursCpu)}`);
  console.log(`  CPU seconds for ${calls} calls, raw: ${JSON.stringify(rawCpu)}`);
  const cdrs = await env.request('GET', `/api/pbx/cdrs?limit=500&from=${new Date(Date.now() - 3_600_000).toISOString()}`, undefined, env.token());
  const ourCdrs = (cdrs.body.data as Array<{ call_uuid: string; disposition: string }>).filter((c) => uuids.includes(c.call_uuid));
  const cdrEvents = receiver.on('/bench').map((r) => JSON.parse(r.body)).filter((e) => e.type === 'pbx.cdr.created' && uuids.includes(e.call_uuid));
  await env.request('DELETE', `/api/pbx/webhooks/${created.body.data.id}`);
  await receiver.close();
  const oursRate = (calls * 1000) / oursMs;
  const rawRate = (calls * 1000) / rawMs;
  const w = summary(webhookDelays);
  const r = summary(rawEventDelays);
  return {
    section: 'two-leg-throughput',
    description: `${calls} answered two-leg calls, ${concurrency} at a time, full flow vs raw-ARI script; webhook latency during that load`,
    figures: [
      figure('answered calls per second', 'calls/s', oursRate, rawRate, { target: '≥ 0.9 of raw', met: oursRate / rawRate >= 0.9 }),
      figure('CDRs written', 'rows', ourCdrs.length, calls, { target: 'all, no duplicate', met: ourCdrs.length === calls && new Set(ourCdrs.map((c) => c.call_uuid)).size === calls }),
      figure('cdr.created webhooks', 'events', cdrEvents.length, calls, { met: new Set(cdrEvents.map((e) => e.id)).size === calls && cdrEvents.length === calls }),
      figure('webhook latency p50 (Asterisk event → CRM)', 'ms', w.p50, r.p50),
      figure('webhook latency p99 (Asterisk event → CRM)', 'ms', w.p99, r.p99, { target: '≤ 50 ms', met: w.p99 <= 50 }),
    ],
    details: { cpu_seconds: { ours: oursCpu, raw: rawCpu }, webhook: w, raw_event_delivery: r, answered: ourCdrs.filter((c) => c.disposition === 'ANSWERED').length, ours_ms: round(oursMs), raw_ms: round(rawMs) },
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
    const response = await env.request('POST', '/api/pbx/calls/click-to-call', { from_extension: agentOf(agents, i), to_phone: `0933${String(i).padStart(6, '0')}`, trunk_id: env.trunkId }, env.token());
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (response.status !== 202) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`);
  });
  console.log(`  click-to-call answers: ${JSON.stringify(statuses)}`);
  const activeCalls = async () => Number(/pbx_active_calls (\d+)/.exec(await (await fetch(env.worker.metricsUrl)).text())?.[1] ?? 0);
  await waitUntil(async () => (await activeCalls()) >= live - result.errors, 60_000, 'calls live').catch(async (error) => {
    const ended = await env.request('GET', `/api/pbx/cdrs?limit=500&from=${new Date(Date.now() - 600_000).toISOString()}&phone=0933`, undefined, env.token());
    throw new Error(`${error}: ${await activeCalls()} live; ended meanwhile: ${JSON.stringify(ended.body.data?.slice(0, 3))}`);
  });
  await sleep(1_000);
  const loaded = { api: env.api.rssBytes(), worker: env.worker.rssBytes() };
  await env.peer.hangupAll();
  const mib = (bytes: number) => bytes / 2 ** 20;
  return {
    section: 'memory',
    description: `RSS with ${live - result.errors} calls live at once vs the same processes idle`,
    figures: [figure('api RSS', 'MiB', mib(loaded.api), mib(idle.api)), figure('worker RSS', 'MiB', mib(loaded.worker), mib(idle.worker)), figure('refused requests', 'requests', result.errors, 0)],
  };
}

export const callSections: SectionDefinition[] = [
  { name: 'click-to-call-latency', run: clickToCallLatency },
  { name: 'two-leg-throughput', run: twoLegThroughput },
  { name: 'memory', run: memory },
];
