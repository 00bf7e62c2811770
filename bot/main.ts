/**
 * Composition root: reads settings, builds every part by hand, and serves them on one port.
 * The only place that knows every other folder.
 */
import { loadConfig, loadDotEnv } from './config.js';
import { createLogger } from './logger.js';
import { createHttpServer } from './server.js';

loadDotEnv();
const config = loadConfig();
const logger = createLogger(config.logLevel);

let ready = false;
const server = createHttpServer({ logger, isReady: () => ready });

server.listen(config.port, () => {
  ready = true;
  logger.info('listening', { port: config.port, publicUrl: config.publicUrl });
});

const shutdown = (signal: string) => {
  logger.info('shutting down', { signal });
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
