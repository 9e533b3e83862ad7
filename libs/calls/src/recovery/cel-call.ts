import { randomUUID } from 'node:crypto';
import { CelRow, endpointOfChannelName, trunkIdOfEndpoint } from '@pbx/asterisk';
import { Call, CallDirection } from '../persistence/call.entity';
import { CallLeg, newLeg } from '../persistence/call-leg.entity';
import { CallChange } from '../state/call-change';
import { CallStatus } from '../state/call.state';
import { Cause, causeText } from '../state/hangup-cause';

/** One channel of a linkedid, as CEL tells it. */
export interface CelChannel {
  uniqueid: string;
  name: string;
  /** the PJSIP endpoint: an extension number or `trunk-<id>` */
  endpoint: string;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  cause: number | null;
  /** who Asterisk says hung up (a channel name), when it says */
  hangupSource: string | null;
  /** the CEL row id of its hangup: the order legs ended in, within one instant */
  endOrder: number;
}

/** A call to record from CEL: the call, its caller's leg and the changes to replay through `decide`. */
export interface RecoveredCall {
  call: Call;
  caller: CallLeg;
  changes: CallChange[];
}

const CONTEXTS: Record<string, 'trunk' | 'phone'> = { 'pbx-from-trunk': 'trunk', 'pbx-internal': 'phone' };
const EXTENSION = /^\d{3,10}$/;

function hangupOf(extra: string | null): { cause: number | null; source: string | null } {
  try {
    const parsed = JSON.parse(extra ?? '{}') as { hangupcause?: unknown; hangupsource?: unknown };
    const cause = Number(parsed.hangupcause);
    return {
      cause: Number.isInteger(cause) ? cause : null,
      source: typeof parsed.hangupsource === 'string' && parsed.hangupsource !== '' ? parsed.hangupsource : null,
    };
  } catch {
    return { cause: null, source: null };
  }
}

/** The PJSIP channels of a linkedid's rows, in the order they started (other technologies are left out). */
export function channelsOf(rows: readonly CelRow[]): CelChannel[] {
  const channels = new Map<string, CelChannel>();
  for (const row of rows) {
    const endpoint = endpointOfChannelName(row.channame);
    if (!endpoint) continue;
    let channel = channels.get(row.uniqueid);
    if (!channel) {
      channel = {
        uniqueid: row.uniqueid,
        name: row.channame ?? '',
        endpoint,
        startedAt: row.at,
        answeredAt: null,
        endedAt: null,
        cause: null,
        hangupSource: null,
        endOrder: Number.MAX_SAFE_INTEGER,
      };
      channels.set(row.uniqueid, channel);
    }
    if (row.eventtype === 'CHAN_START') channel.startedAt = row.at;
    if (row.eventtype === 'ANSWER') channel.answeredAt ??= row.at;
    if (row.eventtype === 'HANGUP') {
      const { cause, source } = hangupOf(row.extra);
      Object.assign(channel, { endedAt: row.at, cause, hangupSource: source, endOrder: row.id });
    }
    if (row.eventtype === 'CHAN_END') channel.endedAt ??= row.at;
  }
  return [...channels.values()].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
}

/**
 * The call a finished linkedid's CEL rows describe, or null when there is nothing to record (not
 * finished, or not a call from a carrier or a phone). Direction from the dialplan context the
 * caller entered (pbx-from-trunk: inbound; pbx-internal: internal when the number dialled is an
 * extension's, in `extensions` or rung, else outbound), parties from its caller id, extension
 * and endpoint, times from CEL. A call no callee channel ever took and that the caller did not
 * hang up (the dialplan refused it: cause 34 for a carrier) is failed by the system.
 */
export function recoveredCallOf(
  linkedid: string,
  rows: readonly CelRow[],
  extensions: ReadonlySet<string>,
  newId: () => string = randomUUID,
): RecoveredCall | null {
  const finished = rows.find((r) => r.eventtype === 'LINKEDID_END');
  if (!finished) return null;
  const channels = channelsOf(rows);
  const first = channels.find((c) => c.uniqueid === linkedid) ?? channels[0];
  const entry = rows.find((r) => r.uniqueid === first?.uniqueid && r.context && CONTEXTS[r.context]);
  if (!first || !entry) return null;
  const from = CONTEXTS[entry.context!];
  const exten = entry.exten ?? '';
  const callees = channels.filter((c) => c !== first);
  let parties: { direction: CallDirection; from: string; to: string; did: string | null; extension: string | null };
  let trunkId: number | null = null;
  if (from === 'trunk') {
    const did = exten === 's' ? '' : exten.replace(/^\+/, '');
    trunkId = trunkIdOfEndpoint(first.endpoint);
    parties = { direction: 'inbound', from: (entry.cidNum ?? '').slice(0, 64), to: did, did, extension: null };
  } else {
    if (!EXTENSION.test(first.endpoint)) return null;
    const internal = extensions.has(exten) || callees.some((c) => c.endpoint === exten);
    const direction = internal ? 'internal' : 'outbound';
    parties = { direction, from: first.endpoint, to: exten, did: null, extension: first.endpoint };
  }
  const startedAt = first.startedAt;
  const legUuid = newId();
  const call = Object.assign(new Call(), {
    callUuid: newId(),
    status: CallStatus.Queued,
    direction: parties.direction,
    fromNumber: parties.from,
    toNumber: parties.to.slice(0, 64),
    did: parties.did === null ? null : parties.did.slice(0, 33),
    extension: parties.extension,
    ringPlan: null,
    answeredLegUuid: null,
    aLegUuid: legUuid,
    bLegUuid: null,
    fromExtension: null,
    toPhone: null,
    callerId: null,
    trunkId,
    trunkName: null,
    routingMode: null,
    headers: {},
    routePlan: [],
    tokenId: null,
    lastSequence: 0,
    lastCoreSequence: 0,
    disposition: null,
    hangupCause: null,
    hangupCauseText: null,
    hangupBy: null,
    transferLegUuid: null,
    transferredBy: null,
    transferredTo: null,
    record: false,
    createdAt: startedAt,
    updatedAt: startedAt,
    endedAt: null,
  } satisfies Call);
  const caller = newLeg({
    legUuid,
    channelId: first.uniqueid,
    callUuid: call.callUuid,
    leg: 'a',
    extension: from === 'phone' ? first.endpoint : null,
    endpoint: `PJSIP/${first.endpoint}`,
    trunkId,
    createdAt: startedAt,
  });
  return { call, caller, changes: changesOf(first, callees, finished.at, newId) };
}

type Ranked = { change: CallChange; at: number; rank: number; order: number };

/**
 * The changes that replay the linkedid through `decide`, in the order they happened. Who hung up
 * comes from Asterisk's hangup source, not from the order of the HANGUP rows: when the caller
 * hangs up a bridged call, the callee's channel is torn down (and logged) first.
 */
function changesOf(caller: CelChannel, callees: CelChannel[], finishedAt: Date, newId: () => string): CallChange[] {
  const ranked: Ranked[] = [];
  const push = (change: CallChange, rank: number, order = 0, at = change.at) =>
    ranked.push({ change, at: at.getTime(), rank, order });
  for (const callee of callees) {
    const channelId = callee.uniqueid;
    const at = callee.startedAt;
    const extension = EXTENSION.test(callee.endpoint) ? callee.endpoint : null;
    const endpoint = `PJSIP/${callee.endpoint}`;
    const trunkId = trunkIdOfEndpoint(callee.endpoint);
    push({ kind: 'leg_created', legUuid: newId(), channelId, leg: 'b', extension, endpoint, trunkId, at }, 0);
    // CEL has no ringing: a callee that answered or rang out did ring, from when it was dialled
    const rang = callee.answeredAt || callee.cause === Cause.NoAnswer || callee.cause === Cause.NoUserResponse;
    if (rang) push({ kind: 'leg_ringing', channelId, at }, 1);
    if (callee.answeredAt) push({ kind: 'leg_answered', channelId, at: callee.answeredAt }, 2);
  }
  if (caller.answeredAt) push({ kind: 'leg_answered', channelId: caller.uniqueid, at: caller.answeredAt }, 2);
  const channels = [caller, ...callees];
  const firstEnd = channels.filter((c) => c.endedAt).sort((x, y) => x.endOrder - y.endOrder)[0];
  const source = channels.find((c) => c.name === firstEnd?.hangupSource);
  for (const channel of channels) {
    const at = channel.endedAt ?? finishedAt;
    const { cause } = channel;
    const refused = channel === caller && callees.length === 0 && channel.hangupSource !== channel.name;
    const failed = cause ?? Cause.NoCircuit;
    const change: CallChange = refused
      ? { kind: 'call_failed', at, cause: failed, causeText: causeText(failed)!, by: 'system' }
      : { kind: 'leg_ended', channelId: channel.uniqueid, at, cause, causeText: causeText(cause) };
    // the channel that hung up ends first, in the instant the first hangup was logged
    if (channel === source && firstEnd.endedAt) push(change, 3, -1, firstEnd.endedAt);
    else push(change, 3, channel.endOrder);
  }
  return ranked.sort((x, y) => x.at - y.at || x.rank - y.rank || x.order - y.order).map((r) => r.change);
}
