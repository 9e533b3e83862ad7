import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Asterisk } from '@pbx/asterisk';

/**
 * Calls that enter the Stasis app from the dialplan with nothing to take them (today: calls
 * from carriers, whose routing is not built yet) are refused at once with "unallocated number"
 * instead of hanging in Stasis until the caller gives up.
 */
@Injectable()
export class UnroutedCallsHandler implements OnModuleInit {
  private readonly logger = new Logger('calls');

  constructor(private readonly asterisk: Asterisk) {}

  onModuleInit(): void {
    this.asterisk.onChannelEvent((event) => {
      if (event.type !== 'entered' || event.entry.kind !== 'inbound') return;
      this.logger.warn(
        `inbound call ${event.channelId} from ${event.callerNumber ?? '?'} to ${event.exten ?? '?'}: no inbound routing, refused`,
      );
      this.asterisk.hangup(event.channelId, 'unallocated').catch(() => undefined);
    });
  }
}
