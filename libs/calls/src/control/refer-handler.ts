import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Asterisk, TransferRequested } from '@pbx/asterisk';
import { CallFlow } from '../flow/call-flow';
import { LiveControl } from './live-control';

/**
 * A desk phone's own blind transfer (SIP REFER, SPEC section 3). Asterisk handles REFER
 * `ari-only`: it dials nobody and raises `transfer_requested`; the request takes the API's path
 * (LiveControl.transfer in the call's queue, the same target rules: extension, or a number only
 * through the routes, the dial policy and the extension's outbound permission) and the phone is
 * told how it went: 100 Trying at once, then 200 once its leg is released and the target is
 * being dialled, or 603 when the transfer is refused. Only the number-shaped `target` is used;
 * the raw Refer-To text is logged, never dialled.
 */
@Injectable()
export class ReferHandler implements OnModuleInit {
  private readonly logger = new Logger('refer');

  constructor(
    private readonly asterisk: Asterisk,
    private readonly flow: CallFlow,
    private readonly control: LiveControl,
  ) {}

  onModuleInit(): void {
    this.asterisk.onChannelEvent((event) => {
      if (event.type === 'transfer_requested') void this.requested(event);
    });
  }

  async requested(event: TransferRequested): Promise<void> {
    const { channelId } = event;
    const callUuid = await this.flow.callOf(channelId);
    if (!callUuid) {
      this.logger.warn(`REFER on channel ${channelId}, not a leg of ours: declined`);
      return this.asterisk.transferProgress(channelId, 'declined').catch(() => undefined);
    }
    await this.flow.queue.run(callUuid, () => this.transfer(callUuid, event), { channel_id: channelId });
  }

  private async transfer(callUuid: string, event: TransferRequested): Promise<void> {
    const { channelId, target } = event;
    const progress = (state: 'trying' | 'succeeded' | 'declined') =>
      this.asterisk.transferProgress(channelId, state).catch((error: Error) => {
        this.logger.warn(`call ${callUuid}: transfer progress ${state} not sent: ${error.message}`);
      });
    await progress('trying');
    const refused = (why: string) => {
      this.logger.warn(
        `call ${callUuid}: REFER from ${channelId} to ${JSON.stringify(event.requested)} declined: ${why}`,
      );
      return progress('declined');
    };
    if (event.replacesCallId !== null) return refused('attended transfers are not supported');
    if (target === null) return refused('the Refer-To is not a number');
    const outcome = await this.control.run(
      callUuid,
      { kind: 'transfer', to: target },
      {
        channelId,
        released: () => progress('succeeded'),
      },
    );
    if (!outcome.ok) return refused(`${outcome.code}: ${outcome.message}`);
  }
}
