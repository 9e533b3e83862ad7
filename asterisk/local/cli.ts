/**
 * `node dist/asterisk/local/cli.js start|stop|status`: runs the product's Asterisk in the cached
 * chroot (see asterisk/chroot.sh), configured by loadConfig from the same environment as the
 * API and the worker (so the same defaults and the same validation).
 */
import { loadConfig } from '@pbx/config';
import { pbxAsterisk } from './pbx-asterisk';

async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  const chrootDir = config.asterisk.chrootDir;
  if (!chrootDir) throw new Error('ASTERISK_CHROOT is required (scripts/lib.sh ensure_chroot sets it)');
  const asterisk = pbxAsterisk(config, { chrootDir, detached: true });
  switch (command) {
    case 'start':
      await asterisk.start();
      console.log(`[asterisk] running (pid ${asterisk.pid()}), log ${asterisk.messagesLog}`);
      break;
    case 'stop':
      await asterisk.stop();
      console.log('[asterisk] stopped');
      break;
    case 'status':
      console.log(asterisk.pid() ? `[asterisk] running (pid ${asterisk.pid()})` : '[asterisk] not running');
      break;
    default:
      throw new Error('usage: cli.js start|stop|status');
  }
}

main(process.argv[2]).catch((error) => {
  console.error(`[asterisk] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
