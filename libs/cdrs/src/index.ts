export * from './cdr.entity';
