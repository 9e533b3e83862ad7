export * from './event-stream.module';
export * from './stream-connection';
export * from './stream-hub';
export * from './stream-upgrade';
