/**
 * Bolt's and the Web API client's logger on top of the project's structured logger. Only the first string of
 * each call is kept: Bolt may pass request bodies and API responses as further arguments, and those can hold
 * message text or tokens, which must never reach the logs.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../../bot/logger.js';

export function boltLogger(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const first = (msg: unknown[]): string => {
    const s = msg.find((m) => typeof m === 'string');
    return `slack: ${typeof s === 'string' ? s.slice(0, 200) : 'event'}`;
  };
  return {
    debug: () => {},
    info: (...msg: unknown[]) => logger.info(first(msg)),
    warn: (...msg: unknown[]) => logger.warn(first(msg)),
    error: (...msg: unknown[]) => logger.error(first(msg), { error: msg.find((m) => m instanceof Error) }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
