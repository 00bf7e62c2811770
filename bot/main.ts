/**
 * `npm start`: reads the settings and serves everything on one port (see compose.ts).
 */
import { composeApp } from './compose.js';
import { loadConfig, loadDotEnv } from './config.js';
import { createLogger } from './logger.js';

loadDotEnv();
const config = loadConfig();
const logger = createLogger(config.logLevel);

try {
  const app = await composeApp({ config, logger });
  const port = await app.listen();
  logger.info('listening', { port, publicUrl: config.publicUrl, webChat: `${config.publicUrl}/` });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    setTimeout(() => process.exit(1), 5000).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  logger.error('start failed', { error });
  process.exit(1);
}
