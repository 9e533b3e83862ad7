export * from './throttle-group';
export * from './rate-limiter';
export * from './address-gate';
export * from './token-budget';
export * from './client-address';
export * from './counter-store';
export * from './throttling.module';
