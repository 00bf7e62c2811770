/**
 * CORS for Web Chat on an operator's own site: DirectLineJS sends `Authorization: Bearer`, `Content-Type` and
 * `x-ms-bot-agent` on every REST call, so browsers preflight them. Tokens are bearer headers, never cookies, so
 * `*` is safe here. Headers go on every answer under these prefixes (errors included, or the page could not read
 * them), and preflights are answered before routing.
 */
import type { Next, Request, Response, Server } from 'restify';

const PREFIXES = ['/v3/directline/', '/api/webchat/'];

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Origin, X-Requested-With, Content-Type, Accept, Authorization, x-ms-bot-agent',
  'Access-Control-Expose-Headers': 'Retry-After',
  'Access-Control-Max-Age': '600',
};

export function registerCors(server: Server): void {
  server.pre((req: Request, res: Response, next: Next) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!PREFIXES.some((p) => path.startsWith(p))) return next();
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Content-Length': '0' });
      res.end();
      return next(false);
    }
    next();
  });
}
