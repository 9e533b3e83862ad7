export * from './ring-group.entity';
export * from './ring-groups.module';
export * from './ring-groups.service';
export * from './dto/ring-group.dto';
