import { AsteriskInstance } from './asterisk-instance';

export interface PbxAsteriskSettings {
  name: string;
  chrootDir: string;
  sipPort: number;
  amiPort: number;
  ariPort: number;
  rtpStart: number;
  rtpEnd: number;
  sipRealm: string;
  ariApp: string;
  ariUsername: string;
  ariPassword: string;
  amiUsername: string;
  amiPassword: string;
  databaseUrl: string;
  ringTimeout?: number;
  detached?: boolean;
}

/** The product's Asterisk: PJSIP realtime from our database, ARI/AMI on loopback. */
export function pbxAsterisk(s: PbxAsteriskSettings): AsteriskInstance {
  const db = new URL(s.databaseUrl);
  return new AsteriskInstance({
    name: s.name,
    role: 'pbx',
    chrootDir: s.chrootDir,
    detached: s.detached,
    vars: {
      SIP_BIND: '127.0.0.1',
      SIP_PORT: s.sipPort,
      SIP_REALM: s.sipRealm,
      AMI_PORT: s.amiPort,
      AMI_USERNAME: s.amiUsername,
      AMI_PASSWORD: s.amiPassword,
      ARI_PORT: s.ariPort,
      ARI_USERNAME: s.ariUsername,
      ARI_PASSWORD: s.ariPassword,
      ARI_APP: s.ariApp,
      RTP_START: s.rtpStart,
      RTP_END: s.rtpEnd,
      RING_TIMEOUT: s.ringTimeout ?? 30,
      DB_HOST: db.hostname === 'localhost' ? '127.0.0.1' : db.hostname,
      DB_PORT: db.port || '5432',
      DB_NAME: decodeURIComponent(db.pathname.replace(/^\//, '')),
      DB_USER: decodeURIComponent(db.username || 'postgres'),
      DB_PASSWORD: decodeURIComponent(db.password),
    },
  });
}
