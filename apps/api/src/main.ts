import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@pbx/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.port, config.host);
  new Logger('api').log(`listening on http://${config.host}:${config.port}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
