/**
 * Who logs in to PostgreSQL. DATABASE_URL names the database and is the privileged login that
 * migrates and provisions the roles (the "migration role"); nothing else uses it. The API and
 * the worker log in as `pbx_app` (owner of the tables), Asterisk as `pbx_asterisk` (its views
 * and CEL inserts), reporting tools as `pbx_reporting` (read-only reporting views), on the same
 * host, port and database. Roles are cluster-wide, so their names are fixed and their passwords
 * are whatever the last provisioning (migrate) set: see README "Database roles".
 */
export const DATABASE_ROLES = { app: 'pbx_app', asterisk: 'pbx_asterisk', reporting: 'pbx_reporting' } as const;
export type DatabaseRole = keyof typeof DATABASE_ROLES;

/** the setting that carries each role's password */
export const DATABASE_PASSWORD_SETTINGS: Record<DatabaseRole, string> = {
  app: 'DB_APP_PASSWORD',
  asterisk: 'DB_ASTERISK_PASSWORD',
  reporting: 'DB_REPORTING_PASSWORD',
};

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/pbx';

export interface DatabaseLogins {
  /** DATABASE_URL: migrations and role provisioning only */
  readonly adminUrl: string;
  /** '' = no password: trust authentication only, and provisioning leaves the role's password alone */
  readonly passwords: Readonly<Record<DatabaseRole, string>>;
}

/** Just the database settings, for commands (migrations) that need nothing else; `problems` as loadConfig's. */
export function databaseLoginsFrom(env: NodeJS.ProcessEnv = process.env, problems: string[] = []): DatabaseLogins {
  const adminUrl = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  try {
    if (!['postgres:', 'postgresql:'].includes(new URL(adminUrl).protocol))
      problems.push('DATABASE_URL must use postgres: or postgresql:');
  } catch {
    problems.push('DATABASE_URL is not a valid URL');
  }
  const passwords = {} as Record<DatabaseRole, string>;
  for (const role of Object.keys(DATABASE_ROLES) as DatabaseRole[]) {
    const name = DATABASE_PASSWORD_SETTINGS[role];
    const value = env[name] ?? '';
    // Asterisk's files and libpq connection strings cannot carry control characters
    if (!/^[^\x00-\x1f\x7f]{0,200}$/.test(value))
      problems.push(`${name} must be at most 200 characters, none a control character`);
    passwords[role] = value;
  }
  return { adminUrl, passwords };
}

/** `role`'s login on DATABASE_URL's host, port and database (with its password, when it has one). */
export function roleUrl(logins: DatabaseLogins, role: DatabaseRole): string {
  const url = new URL(logins.adminUrl);
  url.username = DATABASE_ROLES[role];
  url.password = encodeURIComponent(logins.passwords[role]);
  return url.toString();
}
