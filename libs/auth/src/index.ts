export * from './scope';
export * from './auth.module';
export * from './auth.guard';
export * from './tokens.service';
export * from './token-hash';
export * from './token-limits';
export * from './token-check';
