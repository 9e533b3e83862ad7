/**
 * `node dist/asterisk/local/cli.js start|stop|status`: runs the product's Asterisk in the cached
 * chroot (see asterisk/chroot.sh), configured from the same environment as the API.
 */
import { databaseUrlFrom } from '@pbx/config';
import { pbxAsterisk } from './pbx-asterisk';

function settingsFromEnv(env: NodeJS.ProcessEnv) {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const ariUrl = new URL(env.ARI_URL || 'http://127.0.0.1:8088');
  return {
    name: env.ASTERISK_INSTANCE || 'pbx',
    chrootDir: need('ASTERISK_CHROOT'),
    sipPort: Number(env.SIP_PORT || 5060),
    amiPort: Number(env.AMI_PORT || 5038),
    ariPort: Number(ariUrl.port || 8088),
    rtpStart: Number(env.RTP_START || 10000),
    rtpEnd: Number(env.RTP_END || 10999),
    sipRealm: env.SIP_REALM || 'pbx',
    ariApp: env.ARI_APP || 'pbx',
    ariUsername: env.ARI_USERNAME || 'pbx',
    ariPassword: need('ARI_PASSWORD'),
    amiUsername: env.AMI_USERNAME || 'pbx',
    amiPassword: need('AMI_PASSWORD'),
    databaseUrl: databaseUrlFrom(env),
    ringTimeout: Number(env.RING_TIMEOUT || 30),
    detached: true,
  };
}

async function main(command: string | undefined): Promise<void> {
  const asterisk = pbxAsterisk(settingsFromEnv(process.env));
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
