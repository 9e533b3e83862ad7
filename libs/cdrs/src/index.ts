export * from './cdr.entity';
export * from './cdr-record';
export * from './cdr-writer';
export * from './cdrs.module';
export * from './cdr-retention';
