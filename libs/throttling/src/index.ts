export * from './throttle-group';
export * from './token-throttler.guard';
export * from './throttling.module';
