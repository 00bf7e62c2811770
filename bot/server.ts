/**
 * The one HTTP server: restify on PORT. Routes are registered by the composition root (`main.ts`);
 * this module only creates the server with the settings every route shares.
 */
import { createServer, plugins, type Server } from 'restify';
import type { Logger } from './logger.js';
import { sendJson } from './http.js';

export interface HttpServerOptions {
  logger: Logger;
  /** Answers `GET /healthz` with 200 once this returns true. */
  isReady: () => boolean;
}

export function createHttpServer(opts: HttpServerOptions): Server {
  const server = createServer({ name: 'telco-selfcare-bot', handleUncaughtExceptions: false });
  server.use(plugins.queryParser({ mapParams: false }));
  server.get('/healthz', (_req, res, next) => {
    if (opts.isReady()) sendJson(res, 200, { status: 'ok' });
    else sendJson(res, 503, { status: 'starting' });
    next(false);
  });
  server.on('restifyError', (req, _res, err, cb) => {
    // Unknown routes and methods answer with the same JSON error shape as everything else.
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    err.toJSON = () => ({
      code: status === 404 ? 'REQUEST.NOT_FOUND' : status === 405 ? 'REQUEST.METHOD_NOT_ALLOWED' : 'INTERNAL',
      message: status >= 500 ? 'internal error' : err.message,
    });
    if (status >= 500) opts.logger.error('request failed', { route: req.getRoute()?.path, error: err });
    cb();
  });
  return server;
}
