import { BenchSection } from '../lib/types';
import { callSections, stopCallEnv } from './calls';
import { cdrSearch } from './cdr-search';
import { inboundSetup } from './inbound';
import { recordingSections } from './recording';
import { streamSections } from './stream';

export interface SectionDefinition {
  name: string;
  run: () => Promise<BenchSection>;
}

/** In run order. Sections that share the call environment start it on first use. */
export const SECTIONS: SectionDefinition[] = [
  ...callSections,
  ...recordingSections,
  ...streamSections,
  inboundSetup,
  cdrSearch,
];

/** Run once after every section. */
export async function teardown(): Promise<void> {
  await stopCallEnv();
}
