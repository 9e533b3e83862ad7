import { Client } from 'pg';
import { BenchEnv } from '../lib/env';
import { atRate, percentile, summary } from '../lib/stats';
import { inPool, StreamClient } from '../lib/stream-client';
import { Crm, twoLegPhones } from '../lib/two-leg';
import { BenchSection, figure, round } from '../lib/types';
import { sleep, waitUntil } from '../../test/harness/sip-peer';
import { callEnv } from './calls';
import type { SectionDefinition } from './index';

const mib = (bytes: number) => bytes / 2 ** 20;
const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** p10/p50/p90/p99 of samples, rounded */
function spread(samples: number[]) {
  const s = summary(samples);
  return { n: s.n, p10: percentile(samples, 10), p50: s.p50, p90: s.p90, p99: s.p99, max: s.max, mean: round(s.mean) };
}

/** Waits until every client has, for every call, as many frames as the call has stored events (re-read each time). */
async function everyClientHasEverything(
  db: Client,
  clients: StreamClient[],
  calls: string[],
  timeoutMs: number,
): Promise<{ ok: boolean; stored: Map<string, number>; short: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ call_uuid: string; n: number }>(
      `SELECT call_uuid::text, count(*)::int AS n FROM call_events WHERE call_uuid = ANY ($1::uuid[]) GROUP BY 1`,
      [calls],
    );
    const stored = new Map(rows.map((r) => [r.call_uuid, r.n]));
    const short = clients.filter((c) => calls.some((call) => (c.perCall.get(call) ?? 0) !== (stored.get(call) ?? -1)));
    if (short.length === 0 || Date.now() > deadline) return { ok: short.length === 0, stored, short: short.length };
    await sleep(250);
  }
}

interface Repetition {
  calls: number;
  stream: ReturnType<typeof spread>;
  webhook: ReturnType<typeof spread>;
  /** the 5 events the first stream client got last: all clients late together = the API's side */
  slowest: Array<{ type: string; stream_ms: number[]; webhook_ms: number }>;
}

/**
 * Latency: the two-leg section's paced run (BENCH_WEBHOOK_RATE calls/s for BENCH_WEBHOOK_SECONDS,
 * the same flow and CRM), with BENCH_STREAM_WATCHERS stream clients connected beside the
 * webhook subscription. For each event both got: arrival − `occurred_at` (the Asterisk event's
 * time, as the two-leg section measures it), for each stream frame and for the webhook request.
 */
async function latency(env: BenchEnv, agents: string[], db: Client) {
  const rate = knob('BENCH_WEBHOOK_RATE', 5);
  const seconds = knob('BENCH_WEBHOOK_SECONDS', 20);
  const reps = knob('BENCH_STREAM_REPS', 3);
  const watcherCount = knob('BENCH_STREAM_WATCHERS', 3);
  twoLegPhones(env, agents);
  const crm = await Crm.start(env, '/stream-bench');
  const token = (await env.client.newToken('bench-stream-latency')).token;
  const url = `ws://127.0.0.1:${env.api.port}/api/pbx/events`;
  const watchers: StreamClient[] = [];
  for (let i = 0; i < watcherCount; i++) watchers.push(await StreamClient.connect(url, token, true));
  await sleep(1_000);
  const repetitions: Repetition[] = [];
  const allStream: number[] = [];
  const allWebhook: number[] = [];
  let unmatched = 0;
  try {
    for (let rep = 0; rep < reps; rep++) {
      crm.arrivals.length = 0;
      for (const w of watchers) w.frames.length = 0;
      const calls: string[] = [];
      await atRate(rate, seconds * 1000, (i) => crm.fullCall(agents, rep * 10_000 + i, '0955', calls));
      const complete = await everyClientHasEverything(db, watchers, calls, 15_000);
      if (!complete.ok) throw new Error(`latency run ${rep + 1}: ${complete.short} stream client(s) lack events`);
      // the first request of each event (a retry would measure the retry policy)
      const webhook = new Map<string, number>();
      for (const a of crm.arrivals)
        if (calls.includes(a.event.call_uuid) && !webhook.has(a.event.id)) webhook.set(a.event.id, a.delay);
      const stream = watchers.flatMap((w) =>
        w.frames.filter((f) => webhook.has(f.id)).map((f) => f.at - Date.parse(f.occurred_at)),
      );
      const seen = new Set(watchers[0].frames.map((f) => f.id));
      unmatched += [...webhook.keys()].filter((id) => !seen.has(id)).length;
      allStream.push(...stream);
      allWebhook.push(...webhook.values());
      const slowest = watchers[0].frames
        .filter((f) => webhook.has(f.id))
        .sort((a, b) => b.at - Date.parse(b.occurred_at) - (a.at - Date.parse(a.occurred_at)))
        .slice(0, 5)
        .map((f) => ({
          type: f.type,
          stream_ms: watchers.map((w) => (w.frames.find((g) => g.id === f.id)?.at ?? NaN) - Date.parse(f.occurred_at)),
          webhook_ms: webhook.get(f.id) ?? NaN,
        }));
      repetitions.push({
        calls: calls.length,
        stream: spread(stream),
        webhook: spread([...webhook.values()]),
        slowest,
      });
      console.log(
        `  latency run ${rep + 1}: ${calls.length} calls, stream p50/p99 ${repetitions[rep].stream.p50}/${repetitions[rep].stream.p99} ms, webhook ${repetitions[rep].webhook.p50}/${repetitions[rep].webhook.p99} ms`,
      );
      await sleep(1_000);
    }
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
    await crm.stop();
  }
  if (unmatched > 0) throw new Error(`${unmatched} event(s) reached the CRM but not the stream`);
  return {
    rate,
    seconds,
    reps,
    watchers: watcherCount,
    repetitions,
    stream: spread(allStream),
    webhook: spread(allWebhook),
  };
}

/** A gauge of the API's /metrics (-1 when its metrics are elsewhere) */
async function apiGauge(env: BenchEnv, name: string): Promise<number> {
  try {
    const text = await (await fetch(`${env.api.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? -1);
  } catch {
    return -1;
  }
}
const streamClientsMetric = (env: BenchEnv) => apiGauge(env, 'pbx_stream_clients');
/** the API's V8 heap in use (prom-client's default metric): what RSS hides while the heap has room */
const heapUsed = (env: BenchEnv) => apiGauge(env, 'nodejs_heap_size_used_bytes');

/**
 * Memory: the API's RSS idle, then with BENCH_STREAM_CLIENTS (1,000) stream clients across
 * BENCH_STREAM_TOKENS (50) new calls tokens, right after connecting and after a settle, then at
 * its peak while BENCH_STREAM_FLOW_RATE calls/s (the paced rate, 5) run for BENCH_STREAM_FLOW_SECONDS (10) and
 * their events fan out to every client; every client must get every event of those calls.
 */
async function memory(env: BenchEnv, agents: string[], db: Client) {
  const tokenCount = knob('BENCH_STREAM_TOKENS', 50);
  const clientCount = knob('BENCH_STREAM_CLIENTS', 1000);
  const settleMs = knob('BENCH_STREAM_SETTLE_MS', 5000);
  const flowRate = knob('BENCH_STREAM_FLOW_RATE', knob('BENCH_WEBHOOK_RATE', 5));
  const flowSeconds = knob('BENCH_STREAM_FLOW_SECONDS', 10);
  const tokens: string[] = [];
  for (let i = 0; i < tokenCount; i++) tokens.push((await env.client.newToken(`bench-stream-${i}`)).token);
  const url = `ws://127.0.0.1:${env.api.port}/api/pbx/events`;
  await sleep(3_000);
  const idle = env.api.rssBytes();
  const heap = { idle: await heapUsed(env), settled: 0, afterFlow: 0 };

  const clients: StreamClient[] = [];
  const started = performance.now();
  // a token's first stream spends the address's budget for unverified tokens until it is
  // verified: open those first, a few at a time, then the rest of each token's streams
  await inPool(tokenCount, 10, async (t) => void clients.push(await StreamClient.connect(url, tokens[t])));
  await inPool(clientCount - tokenCount, 50, async (i) => {
    clients.push(await StreamClient.connect(url, tokens[i % tokenCount]));
  });
  const connectMs = performance.now() - started;
  const connected = env.api.rssBytes();
  await sleep(settleMs);
  const settled = env.api.rssBytes();
  heap.settled = await heapUsed(env);
  const reported = await streamClientsMetric(env);
  console.log(
    `  ${clients.length} clients in ${Math.round(connectMs)} ms (API reports ${reported}); RSS idle ${mib(idle).toFixed(1)}, connected ${mib(connected).toFixed(1)}, settled ${mib(settled).toFixed(1)} MiB`,
  );

  const crm = await Crm.start(env, '/stream-memory');
  const calls: string[] = [];
  let peak = settled;
  const sampler = setInterval(() => (peak = Math.max(peak, env.api.rssBytes())), 100);
  let check: Awaited<ReturnType<typeof everyClientHasEverything>>;
  try {
    await atRate(flowRate, flowSeconds * 1000, (i) => crm.fullCall(agents, 20_000 + i, '0966', calls));
    check = await everyClientHasEverything(db, clients, calls, 30_000);
  } finally {
    clearInterval(sampler);
    await crm.stop();
  }
  const afterFlow = env.api.rssBytes();
  heap.afterFlow = await heapUsed(env);
  const frames = clients.reduce((sum, c) => sum + c.count, 0);
  const dropped = clients.filter((c) => !c.open).length;
  await Promise.all(clients.map((c) => c.close()));
  await waitUntil(async () => (await streamClientsMetric(env)) <= 0, 15_000, 'stream clients closed').catch(
    () => undefined,
  );
  const events = [...check.stored.values()].reduce((a, b) => a + b, 0);
  return {
    tokens: tokenCount,
    clients: clients.length,
    reported,
    connectMs,
    rss: { idle, connected, settled, peak, afterFlow, closed: env.api.rssBytes() },
    heap,
    flow: { rate: flowRate, seconds: flowSeconds, calls: calls.length, events, frames, dropped },
    check,
  };
}

async function stream(): Promise<BenchSection> {
  const { env, agents } = await callEnv();
  const db = new Client({ connectionString: env.context.databaseUrl });
  await db.connect();
  try {
    const l = await latency(env, agents, db);
    const m = await memory(env, agents, db);
    const ratios = l.repetitions.map((r) => ({
      p50: round(r.stream.p50 / r.webhook.p50, 3),
      p99: round(r.stream.p99 / r.webhook.p99, 3),
    }));
    const perClient = (bytes: number) => (bytes - m.rss.idle) / 1024 / m.clients;
    const { flow } = m;
    const figures = [
      figure(`stream latency p50 (Asterisk event → frame), ${l.rate} calls/s`, 'ms', l.stream.p50, l.webhook.p50, {
        note: `baseline: webhook (Asterisk event → CRM), same events; per run stream/webhook ${ratios.map((r) => r.p50).join(' / ')}; stream p10-p90 ${l.stream.p10}-${l.stream.p90}, webhook ${l.webhook.p10}-${l.webhook.p90} ms`,
      }),
      figure(`stream latency p99 (Asterisk event → frame), ${l.rate} calls/s`, 'ms', l.stream.p99, l.webhook.p99, {
        note: `baseline: webhook p99; per run stream/webhook ${ratios.map((r) => r.p99).join(' / ')}`,
      }),
      figure(
        `API RSS, ${m.clients} stream clients (${m.tokens} tokens), just connected`,
        'MiB',
        mib(m.rss.connected),
        mib(m.rss.idle),
      ),
      figure(
        `API RSS, ${m.clients} stream clients, after ${knob('BENCH_STREAM_SETTLE_MS', 5000)} ms`,
        'MiB',
        mib(m.rss.settled),
        mib(m.rss.idle),
        {
          note: `${perClient(m.rss.settled).toFixed(1)} KiB per client; V8 heap used ${mib(m.heap.idle).toFixed(1)} → ${mib(m.heap.settled).toFixed(1)} MiB`,
        },
      ),
      figure(
        `API RSS peak, ${flow.rate} calls/s fanned out to ${m.clients} clients`,
        'MiB',
        mib(m.rss.peak),
        mib(m.rss.idle),
        {
          note: `${perClient(m.rss.peak).toFixed(1)} KiB per client; ${flow.frames} frames; heap used after ${mib(m.heap.afterFlow).toFixed(1)} MiB`,
        },
      ),
      figure(`API V8 heap used, ${m.clients} stream clients, settled`, 'MiB', mib(m.heap.settled), mib(m.heap.idle), {
        note: `${((m.heap.settled - m.heap.idle) / 1024 / m.clients).toFixed(1)} KiB per client (RSS grows less while the heap has room)`,
      }),
      figure(`connecting ${m.clients} stream clients`, 'ms', m.connectMs, null),
      figure(`clients with every event of the ${flow.calls} calls`, 'clients', m.clients - m.check.short, m.clients, {
        target: 'all',
        met: m.check.ok && flow.dropped === 0,
      }),
    ];
    const details = { latency: { ...l, ratios }, memory: { ...m, check: { ok: m.check.ok, short: m.check.short } } };
    if (!m.check.ok || flow.dropped > 0 || (m.reported >= 0 && m.reported !== m.clients)) {
      console.log(JSON.stringify({ figures, details }, null, 2));
      throw new Error(
        `stream fan-out check failed: ${m.check.short} of ${m.clients} clients lack events of the ${flow.calls} calls, ${flow.dropped} closed, API reported ${m.reported} clients`,
      );
    }
    return {
      section: 'stream',
      description: `stream vs webhook latency at ${l.rate} calls/s (${l.reps} runs of ${l.seconds} s, ${l.watchers} stream clients); API RSS with ${m.clients} stream clients on ${m.tokens} tokens`,
      figures,
      details,
    };
  } finally {
    await db.end();
  }
}

export const streamSections: SectionDefinition[] = [{ name: 'stream', run: stream }];
