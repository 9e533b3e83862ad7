export * from './security.module';
export * from './sip-ban.entity';
export { SECURITY_METRICS, SecurityMetrics } from './ban-enforcer';
