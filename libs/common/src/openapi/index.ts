export * from './error-body';
export * from './api-errors.decorator';
export * from './api-data.decorator';
export * from './api-no-auth.decorator';
export * from './id-param.decorator';
