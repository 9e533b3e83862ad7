import { AppConfig, DATABASE_ROLES } from '@pbx/config';
import { AsteriskInstance } from './asterisk-instance';

export interface PbxAsteriskOptions {
  /** the cached chroot (asterisk/chroot.sh) */
  chrootDir: string;
  /** instance name; config.asterisk.instance (ASTERISK_INSTANCE) by default */
  name?: string;
  /** keep Asterisk running after this Node process exits (npm run up) */
  detached?: boolean;
}

/**
 * The values of asterisk/templates/{common,pbx}'s placeholders, from the validated configuration
 * (the runner adds INSTANCE and INSTANCE_DIR). Also what asterisk/defaults.env is generated from,
 * so the Docker image and the local Asterisk cannot drift apart.
 */
export function pbxTemplateVars(config: AppConfig): Record<string, string> {
  const db = new URL(config.databaseUrl);
  return {
    SIP_BIND: config.asterisk.sipBind,
    SIP_PORT: String(config.sip.port),
    SIP_REALM: config.sip.realm,
    AMI_PORT: String(config.ami.port),
    AMI_USERNAME: config.ami.username,
    AMI_PASSWORD: config.ami.password,
    ARI_PORT: String(config.asterisk.ariPort),
    ARI_USERNAME: config.ari.username,
    ARI_PASSWORD: config.ari.password,
    ARI_APP: config.ari.app,
    RTP_START: String(config.asterisk.rtpStart),
    RTP_END: String(config.asterisk.rtpEnd),
    RING_TIMEOUT: String(config.calls.agentRingTimeoutSeconds),
    MAX_CALL_SECONDS: String(config.calls.maxCallSeconds),
    DB_HOST: db.hostname === 'localhost' ? '127.0.0.1' : db.hostname,
    DB_PORT: db.port || '5432',
    DB_NAME: decodeURIComponent(db.pathname.replace(/^\//, '')),
    // least privilege: its views and CEL inserts, never the apps' or the migration role's login
    DB_USER: DATABASE_ROLES.asterisk,
    DB_PASSWORD: config.databaseLogins.passwords.asterisk,
  };
}

/** The product's Asterisk: PJSIP realtime from our database, ARI/AMI on loopback. */
export function pbxAsterisk(config: AppConfig, options: PbxAsteriskOptions): AsteriskInstance {
  return new AsteriskInstance({
    name: options.name ?? config.asterisk.instance,
    role: 'pbx',
    chrootDir: options.chrootDir,
    detached: options.detached,
    vars: pbxTemplateVars(config),
  });
}
