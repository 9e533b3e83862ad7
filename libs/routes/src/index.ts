export * from './outbound-route.entity';
export * from './routes.module';
export * from './routes.service';
export * from './route-match';
