export * from './errors/error-code';
export * from './errors/domain.error';
export * from './errors/http-error.filter';
export * from './validation/validation.pipe';
export * from './validation/id.pipe';
export * from './validation/rules';
export * from './errors/database-errors';
export * from './http/http-exchange';
