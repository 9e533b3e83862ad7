export * from './connection-state';
export * from './ami.connection';
export * from './ari.connection';
export * from './registrations.service';
export * from './asterisk.module';
export * from './registration-monitor';
