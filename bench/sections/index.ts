import { BenchSection } from '../lib/types';

export interface SectionDefinition {
  name: string;
  run: () => Promise<BenchSection>;
}

/** In run order. Each section starts and stops what it needs. */
export const SECTIONS: SectionDefinition[] = [];
