/**
 * npm run bench: each figure beside its baseline from the same run, on the real Asterisk with
 * the SIP test peer, the built API and worker as real processes. Prints a table and writes
 * bench/results.json. `npm run bench -- <section> ...` runs only those sections.
 */
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';
import { report } from './lib/report';
import { BenchSection } from './lib/types';
import { SECTIONS, teardown } from './sections';

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const chosen = SECTIONS.filter((s) => only.length === 0 || only.includes(s.name));
  if (chosen.length === 0)
    throw new Error(`unknown section(s) ${only.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
  const results: BenchSection[] = [];
  for (const section of chosen) {
    const started = Date.now();
    console.log(`\n== ${section.name} ==`);
    try {
      const result = await section.run();
      results.push(result);
      // each section's figures as soon as they exist: a later section that hangs loses nothing
      for (const f of result.figures)
        console.log(`  ${f.name}: ${f.ours} ${f.unit} (baseline ${f.baseline ?? '-'}, ratio ${f.ratio ?? '-'})`);
    } catch (error) {
      console.error(`section ${section.name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      results.push({ section: section.name, description: 'failed', figures: [], details: { error: String(error) } });
    }
    console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
  }
  await teardown();
  console.log('');
  report(results, {
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memory_gib: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    commit: safe(() => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()),
  });
  if (results.some((r) => r.description === 'failed')) process.exitCode = 1;
}

function safe<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
