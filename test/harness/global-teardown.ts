import { AsteriskInstance } from '../../asterisk/local/asterisk-instance';

export default async function globalTeardown(): Promise<void> {
  const instances = ((globalThis as Record<string, unknown>).__pbxTestAsterisks ?? []) as AsteriskInstance[];
  await Promise.all(instances.map((instance) => instance.stop()));
}
