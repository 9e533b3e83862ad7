export * from './call.entity';
export * from './call-leg.entity';
export * from './call.state';
export * from './hangup-cause';
export * from './stored-call-event.entity';
export * from './call-state.funnel';
export * from './calls.module';
