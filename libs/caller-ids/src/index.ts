export * from './caller-id.entity';
export * from './caller-ids.module';
export * from './caller-ids.service';
