export * from './dial-policy.entity';
export * from './dial-policy-decision';
export * from './dial-policy.module';
export * from './dial-policy.service';
