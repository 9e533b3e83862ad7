export * from './extension.entity';
export * from './extensions.module';
export * from './extensions.service';
export * from './dto/extension.dto';
export * from './sip-password';
export * from './extension-referrers';
