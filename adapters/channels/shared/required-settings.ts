/**
 * The settings check every optional channel makes at start-up: a channel without all of its settings is
 * skipped with one log line naming what is missing (never the values: they are secrets), not an error.
 */
import type { Logger } from '../../../bot/logger.js';

/** `settings` with the `keys` it was checked for known to be set. */
export type WithSettings<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };

/**
 * Returns `settings` when every one of `keys` is set (non-empty); otherwise logs
 * `<channel> channel disabled: settings missing` with the missing keys and returns undefined.
 */
export function requireSettings<T extends object, K extends keyof T>(
  settings: T,
  keys: readonly K[],
  logger: Logger,
  channel: string,
): WithSettings<T, K> | undefined {
  const missing = keys.filter((k) => !settings[k]);
  if (missing.length) {
    logger.info(`${channel} channel disabled: settings missing`, { missing });
    return undefined;
  }
  return settings as WithSettings<T, K>;
}
