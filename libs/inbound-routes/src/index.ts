export * from './inbound-route.entity';
export * from './inbound-route-match';
export * from './inbound-routes.module';
export * from './inbound-routes.service';
export * from './dto/inbound-route.dto';
export * from './dto/inbound-destination.dto';
