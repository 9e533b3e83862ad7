import { timingSafeEqual, createHash } from 'node:crypto';

/**
 * Whether a scrape may read the metrics: always when METRICS_TOKEN is unset, otherwise only
 * with `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
 */
export function metricsScrapeAllowed(expectedToken: string | undefined, authorization: string | undefined): boolean {
  if (expectedToken === undefined) return true;
  const given = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expectedToken));
}
