export * from './data-source-options';
export * from './ensure-database';
export * from './database.module';
export * from './migrate';
export * from './entity-rows';
export * from './prepared';
export * from './pg-listen-link';
export * from './roles';
