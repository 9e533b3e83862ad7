import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line carries while work for one request or one call runs. */
export interface LogFields {
  request_id?: string;
  call_uuid?: string;
  leg_uuid?: string;
  [field: string]: string | number | undefined;
}

const storage = new AsyncLocalStorage<LogFields>();

/** Runs `work` with `fields` added to every log line it writes, however deep and async. */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

/** Adds fields to the current context (e.g. the call uuid once a request has made one). */
export function addLogFields(fields: LogFields): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

export function currentLogFields(): LogFields {
  return storage.getStore() ?? {};
}
