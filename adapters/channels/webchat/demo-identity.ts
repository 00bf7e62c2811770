/**
 * `GET /demo/identity?msisdn=`: lets a newcomer chat as a demo subscriber from the browser (`/?as=<msisdn>`),
 * standing in for the operator's server that would sign a logged-in visitor's identity.
 *
 * Safety rules (this route signs identities for anyone who asks):
 * - it exists only on a demo install: SEED_DEMO on AND no WEBCHAT_IDENTITY_SECRET. Once an operator configures
 *   the real secret, the route is gone (404) and only their server can sign identities;
 * - it signs with a per-install demo secret kept in DATA_DIR (never the operator's secret), which is then the
 *   secret `POST /api/webchat/token` verifies identities with;
 * - it signs only MSISDNs the demo predicate accepts (by default the fictional +1 555 numbers the seed uses), so
 *   even a demo install exposed by mistake does not hand out identities of real numbers;
 * - identities live 5 minutes.
 */
import type { Request, Response, Server } from 'restify';
import { sendJson } from '../../../bot/http.js';
import { isE164, signVisitorIdentity } from './visitor-identity.js';

/** The fictional numbers of the demo seed: +1 555 xxx xxxx (555 is not a geographic area code). */
export const DEFAULT_DEMO_MSISDN = /^\+1555\d{7}$/;

export function registerDemoIdentity(
  server: Server,
  opts: { secret: string; clock: () => number; isDemoMsisdn: (msisdn: string) => boolean },
): void {
  server.get('/demo/identity', async (req: Request, res: Response) => {
    const raw = (req.query as Record<string, unknown> | undefined)?.msisdn;
    // A raw '+' in a query string decodes to a space: accept `+1555…`, ` 1555…` and `1555…` alike.
    const msisdn = typeof raw === 'string' ? raw.trim().replace(/^(\d)/, '+$1') : undefined;
    if (!isE164(msisdn) || !opts.isDemoMsisdn(msisdn)) {
      sendJson(res, 400, { code: 'WEBCHAT.NOT_A_DEMO_MSISDN', message: 'only demo subscribers can be impersonated' });
      return;
    }
    const ttl = 300;
    sendJson(
      res,
      200,
      { identity: signVisitorIdentity(opts.secret, msisdn, opts.clock(), ttl), expires_in: ttl },
      {
        'Cache-Control': 'no-store',
      },
    );
  });
}
