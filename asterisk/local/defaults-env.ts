/**
 * asterisk/defaults.env: the defaults docker-entrypoint.sh applies to unset settings. The image
 * has no Node, so the file is generated from loadConfig's defaults (their only copy) and
 * committed; defaults-env.spec.ts fails when it drifts. Regenerate with
 *   npx tsx asterisk/local/defaults-env.ts > asterisk/defaults.env
 */
import { configDefaults } from '@pbx/config';
import { pbxTemplateVars } from './pbx-asterisk';

const SECRETS = ['AMI_PASSWORD', 'ARI_PASSWORD', 'DB_PASSWORD'];

/** NAME -> default of every template variable but the secrets and INSTANCE_DIR (the image's own). */
export function asteriskDefaults(): Record<string, string> {
  const defaults = configDefaults();
  const vars: Record<string, string> = { INSTANCE: defaults.asterisk.instance, ...pbxTemplateVars(defaults) };
  for (const secret of SECRETS) delete vars[secret];
  return vars;
}

export function defaultsEnvText(): string {
  const lines = Object.entries(asteriskDefaults()).map(([name, value]) => {
    // the entrypoint reads NAME=value lines without any quoting
    if (!/^[A-Za-z0-9._:/@-]+$/.test(value)) throw new Error(`default of ${name} cannot be written plainly`);
    return `${name}=${value}`;
  });
  return [
    '# Generated from libs/config (loadConfig defaults) by asterisk/local/defaults-env.ts: do not edit.',
    '# docker-entrypoint.sh applies each to a setting left unset or empty.',
    ...lines,
    '',
  ].join('\n');
}

if (require.main === module) process.stdout.write(defaultsEnvText());
