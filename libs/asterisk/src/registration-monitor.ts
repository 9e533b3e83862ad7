import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AmiMessage } from 'asterisk-ami-client';
import { AmiConnection } from './ami.connection';

/** Logs every contact that registers, refreshes or goes away, so an operator can follow phones. */
@Injectable()
export class RegistrationMonitor implements OnModuleInit {
  private readonly logger = new Logger('registrations');

  constructor(private readonly ami: AmiConnection) {}

  onModuleInit(): void {
    this.ami.on('event', (event: AmiMessage) => {
      if (event.Event !== 'ContactStatus') return;
      this.logger.log(`aor ${event.AOR} contact ${event.URI} ${event.ContactStatus}`);
    });
  }
}
