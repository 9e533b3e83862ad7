import { MetricsService } from '@pbx/metrics';
import { CallStatus } from '../state/call.state';
import { Decision } from '../state/decide';

/** Feeds a decision's outcome and latencies into Prometheus (the funnel itself only stores). */
export function observeDecision(metrics: MetricsService, { call, legs, events, callMove }: Decision): void {
  if (callMove?.to === CallStatus.Ended) metrics.calls.inc({ outcome: call.disposition ?? 'FAILED' });
  for (const event of events) {
    if (event.type === 'pbx.call.ringing')
      metrics.apiToAgentRinging.observe((Date.parse(event.occurred_at) - call.createdAt.getTime()) / 1000);
    if (event.type === 'pbx.call.answered' && event.leg === 'b') {
      const callerAnswered = legs.find((l) => l.leg === 'a')?.answeredAt;
      if (callerAnswered)
        metrics.agentToCustomerAnswer.observe((Date.parse(event.occurred_at) - callerAnswered.getTime()) / 1000);
    }
  }
}
