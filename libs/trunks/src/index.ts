export * from './trunk.entity';
export * from './trunks.module';
export * from './trunks.service';
