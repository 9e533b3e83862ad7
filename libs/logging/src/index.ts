export * from './log-context';
export * from './redact';
export * from './root-logger';
export * from './nest-logger';
export * from './request-logging';
