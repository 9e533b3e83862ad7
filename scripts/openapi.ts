/**
 * Writes the API's OpenAPI document to docs/openapi.json (`npm run openapi`), or with --check
 * fails when the committed copy differs from what the code describes (`npm test` runs that,
 * then lints the file with Redocly). Built from the real AppModule in Nest's preview mode:
 * the module graph is read but no provider is created, so no database or Asterisk is needed.
 * Run from the compiled build (dist/scripts/openapi.js): decorator metadata, which the
 * schemas depend on, is emitted by tsc but not by tsx.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AppModule } from '../apps/api/src/app.module';
import { createOpenApiDocument } from '../apps/api/src/openapi';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const file = args.find((arg) => !arg.startsWith('--')) ?? 'docs/openapi.json';
  const app = await NestFactory.create(AppModule, { preview: true, logger: ['error'] });
  const text = `${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  if (!check) {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
    return;
  }
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (committed === text) {
    console.log(`${file} is up to date`);
    return;
  }
  const line = firstDifference(committed, text);
  console.error(`${file} is out of date (first difference at line ${line}): run \`npm run openapi\` and commit it`);
  process.exitCode = 1;
}

function firstDifference(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  const index = left.findIndex((line, i) => line !== right[i]);
  return (index === -1 ? left.length : index) + 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
