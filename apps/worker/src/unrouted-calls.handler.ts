import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AriConnection, AriEvent } from '@pbx/asterisk';

type StasisStart = AriEvent & { args?: string[]; channel?: { id: string; caller?: { number?: string }; dialplan?: { exten?: string } } };

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
    this.ari.on('StasisStart', (event: StasisStart) => {
      const channel = event.channel;
      if (event.args?.[0] !== 'inbound' || !channel) return;
      this.logger.warn(`inbound call ${channel.id} from ${channel.caller?.number ?? '?'} to ${channel.dialplan?.exten ?? '?'}: no inbound routing, refused`);
      this.ari.client?.channels.hangup({ channelId: channel.id, reason: 'unallocated' }).catch(() => undefined);
    });
  }
}
