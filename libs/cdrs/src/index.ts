export * from './cdr.entity';
export * from './cdrs.module';
