import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Channel, StasisStart } from 'ari-client';
import { AriConnection } from '@pbx/asterisk';

/**
 * Calls that enter the Stasis app with nothing to take them (today: calls from carriers, whose
 * routing is not built yet) are refused at once with "unallocated number" instead of hanging
 * in Stasis until the caller gives up.
 */
@Injectable()
export class UnroutedCallsHandler implements OnModuleInit {
  private readonly logger = new Logger('calls');

  constructor(private readonly ari: AriConnection) {}

  onModuleInit(): void {
    this.ari.on('connected', () => {
      this.ari.client?.removeListener('StasisStart', this.onStasisStart);
      this.ari.client?.on('StasisStart', this.onStasisStart);
    });
  }

  private readonly onStasisStart = (event: StasisStart, channel: Channel): void => {
    if (event.args?.[0] !== 'inbound') return;
    this.logger.warn(`inbound call ${channel.id} from ${channel.caller.number} to ${channel.dialplan.exten}: no inbound routing, refused`);
    channel.hangup({ reason: 'unallocated' }).catch(() => undefined);
  };
}
