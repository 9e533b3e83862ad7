import { sleep } from '../../test/harness/sip-peer';
import { summary } from '../lib/stats';
import { BenchSection, figure, round } from '../lib/types';
import { callEnv } from './calls';
import type { SectionDefinition } from './index';

/**
 * Inbound call setup: from the carrier's INVITE to the extension's phone ringing, through our
 * worker (inbound route → ring plan → ARI create and dial), beside a plain dialplan `Dial()` to
 * the same phone on the same Asterisk (a desk phone's call with the worker stopped: the
 * extensions' context falls back to `Dial(PJSIP/<number>)`). One call at a time, so the figures
 * are latency, not queueing; our block runs before and after the baseline to show drift.
 */
async function run(): Promise<BenchSection> {
  const { env, agents } = await callEnv();
  const [target, caller] = agents;
  const samples = Number(process.env.BENCH_INBOUND_SAMPLES ?? 30);
  const did = `8428${Date.now() % 10_000_000}`;
  const created = await env.request('POST', '/api/pbx/inbound-routes', {
    did,
    destination: { type: 'extension', number: target },
    ring_timeout: 30,
  });
  if (created.status !== 201) throw new Error(`inbound route: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  env.peer.setBehavior(`phone-${target}`, { kind: 'ring' });

  /** ms from placing the call to the target phone's INVITE reaching the peer. */
  const measure = async (place: (from: string) => Promise<string>, tag: string): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const from = `0${tag}${String(i).padStart(8, '0')}`;
      const seen = env.peer.calls.length;
      const started = performance.now();
      const channel = await place(from);
      // polled every 2 ms (the harness's waitUntil polls every 100 ms, coarser than what is measured)
      while (!env.peer.calls.slice(seen).some((c) => c.exten === `phone-${target}`)) {
        if (performance.now() - started > 10_000) throw new Error(`phone ${target} never rang for ${from}`);
        await sleep(2);
      }
      times.push(performance.now() - started);
      await env.peer.hangup(channel).catch(() => undefined);
      await sleep(150);
    }
    return times;
  };
  const carrier = (tag: string) => measure((from) => env.peer.carrierCall({ did, fromUser: from }), tag);
  const before = await carrier('91');
  await env.worker.stop();
  await sleep(500);
  const baseline = await measure(() => env.peer.dial(caller, target), '92');
  await env.worker.start();
  await sleep(1_000);
  const after = await carrier('93');
  const ours = summary([...before, ...after]);
  const raw = summary(baseline);
  return {
    section: 'inbound-setup',
    description: `carrier INVITE → the extension's phone rings, ${samples * 2} calls through the worker vs ${samples} plain Dial()`,
    figures: [
      figure('setup p50', 'ms', ours.p50, raw.p50),
      figure('setup p90', 'ms', ours.p90, raw.p90),
      figure('setup max', 'ms', ours.max, raw.max),
    ],
    details: {
      ours_before_p50: round(summary(before).p50),
      ours_after_p50: round(summary(after).p50),
      baseline_p50: round(raw.p50),
    },
  };
}

export const inboundSetup: SectionDefinition = { name: 'inbound-setup', run };
