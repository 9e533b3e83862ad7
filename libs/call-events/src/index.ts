export * from './call-event';
export * from './pbx-event';
export * from './pbx-event.mapping';
