import { Injectable, OnModuleInit } from '@nestjs/common';
import { Asterisk, ChannelEvent } from '@pbx/asterisk';
import { CallChange } from '../state/call-change';
import { CallFlow } from './call-flow';

/** A channel event of one of our legs, as the change it means for its call (null: none). */
export function changeOf(event: ChannelEvent): CallChange | null {
  switch (event.type) {
    case 'ringing':
      return { kind: 'leg_ringing', channelId: event.channelId, at: event.at };
    case 'answered':
      return { kind: 'leg_answered', channelId: event.channelId, at: event.at };
    case 'destroyed':
      return {
        kind: 'leg_ended',
        channelId: event.channelId,
        at: event.at,
        cause: event.cause,
        causeText: event.causeText,
      };
    // transfer_requested (a desk phone's REFER) is control/refer-handler.ts's to answer
    case 'entered':
    case 'transfer_requested':
      return null;
  }
}

/** Worker side: feeds the Stasis app's channel events of our legs into the call flow. */
@Injectable()
export class ChannelIntake implements OnModuleInit {
  constructor(
    private readonly asterisk: Asterisk,
    private readonly flow: CallFlow,
  ) {}

  onModuleInit(): void {
    this.asterisk.onChannelEvent((event) => {
      if (event.type === 'entered') {
        if (event.entry.kind === 'leg') this.flow.remember(event.channelId, event.entry.callUuid);
        return;
      }
      const change = changeOf(event);
      if (change) this.flow.legChanged(event.channelId, change);
    });
  }
}
