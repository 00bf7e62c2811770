/**
 * A Bolt `Receiver` mounted on the project's one restify server at `POST /slack/events` (Events API and
 * interactivity share the route, as Slack allows). For each request, in order:
 * 1. the signature over the raw bytes and the timestamp's freshness (401 and nothing else when either fails);
 * 2. `ssl_check` and `url_verification` answered directly, as Bolt's HTTPReceiver does;
 * 3. duplicates (Slack retries after 3 s without an answer, `X-Slack-Retry-Num`) acknowledged and dropped;
 * 4. `app.processEvent` with an `ack` that answers the HTTP request at once; listeners ack first and work after.
 *    A listener that never acks is answered for it before Slack's 3 seconds run out.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Next, Request, RequestHandler, Response, Server } from 'restify';
import type { Clock } from '../../../charging/ports.js';
import { type RawBodyRequest, readRawBody, sendError, sendJson } from '../../../bot/http.js';
import type { Logger } from '../../../bot/logger.js';
import { deliveryKeyOf, type SlackDeliveryLog } from './slack-dedup.js';
import { verifySlackSignature } from './slack-signature.js';

export const SLACK_EVENTS_PATH = '/slack/events';

/** Answer before Slack's 3-second limit even if a listener forgets to ack. */
const ACK_DEADLINE_MS = 2500;

export interface RestifySlackReceiverOptions {
  signingSecret: string;
  deliveries: SlackDeliveryLog;
  clock: Clock;
  logger: Logger;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Slack sends JSON for events, `payload=<json>` forms for interactivity, plain forms for slash commands. */
export function parseSlackBody(raw: string, contentType: string | undefined): Record<string, unknown> | undefined {
  try {
    if (contentType?.includes('application/json')) {
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    }
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (typeof form.payload === 'string') {
      const parsed: unknown = JSON.parse(form.payload);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    }
    return form;
  } catch {
    return undefined;
  }
}

export class RestifySlackReceiver implements Receiver {
  readonly #opts: RestifySlackReceiverOptions;
  #app: App | undefined;

  constructor(opts: RestifySlackReceiverOptions) {
    this.#opts = opts;
  }

  init(app: App): void {
    this.#app = app;
  }

  /** The server is started by the composition root; nothing to do here. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  mount(server: Server): void {
    server.post(SLACK_EVENTS_PATH, ...this.handlers());
  }

  handlers(): RequestHandler[] {
    return [readRawBody(1024 * 1024), (req: Request, res: Response, next: Next) => this.#handle(req, res, next)];
  }

  #handle(req: Request, res: Response, next: Next): void {
    const { signingSecret, clock, logger } = this.#opts;
    const raw = (req as RawBodyRequest).rawBody ?? Buffer.alloc(0);
    const nowSeconds = Math.floor(clock.now().getTime() / 1000);
    const signed = verifySlackSignature(
      signingSecret,
      raw,
      header(req, 'x-slack-request-timestamp'),
      header(req, 'x-slack-signature'),
      nowSeconds,
    );
    if (!signed) {
      logger.warn('slack: request rejected (signature or timestamp)');
      sendError(res, 401, 'AUTH.UNAUTHORIZED', 'invalid Slack signature');
      next(false);
      return;
    }
    const body = parseSlackBody(raw.toString('utf8'), header(req, 'content-type'));
    if (!body) {
      sendError(res, 400, 'REQUEST.INVALID', 'unreadable Slack payload');
      next(false);
      return;
    }
    if (body.ssl_check) {
      res.writeHead(200);
      res.end();
      next(false);
      return;
    }
    if (body.type === 'url_verification') {
      sendJson(res, 200, { challenge: body.challenge });
      next(false);
      return;
    }
    const retryNum = Number(header(req, 'x-slack-retry-num') ?? '') || undefined;
    const retryReason = header(req, 'x-slack-retry-reason');
    const key = deliveryKeyOf(body);
    void this.#dispatch(body, key, retryNum, retryReason, res).finally(() => next(false));
  }

  async #dispatch(
    body: Record<string, unknown>,
    key: string | undefined,
    retryNum: number | undefined,
    retryReason: string | undefined,
    res: Response,
  ): Promise<void> {
    const { deliveries, clock, logger } = this.#opts;
    if (key && !(await deliveries.begin(key))) {
      logger.info('slack: duplicate delivery acknowledged and ignored', { retryNum, retryReason });
      res.writeHead(200);
      res.end();
      return;
    }
    let answered = false;
    let markHandled: Promise<void> = Promise.resolve();
    const answer = (status: number, response?: unknown): void => {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      if (status === 200 && response !== undefined && response !== null && response !== '') {
        sendJson(res, 200, response);
      } else {
        res.writeHead(status);
        res.end();
      }
      if (!key) return;
      if (status === 200) markHandled = deliveries.handled(key, clock.now());
      else deliveries.failed(key);
    };
    const deadline = setTimeout(() => {
      logger.warn('slack: no ack from a listener in time; acknowledged for it', { type: body.type });
      answer(200);
    }, ACK_DEADLINE_MS);
    const event: ReceiverEvent = {
      body,
      retryNum,
      retryReason,
      ack: async (response?: unknown) => answer(200, response),
    };
    try {
      await this.#app?.processEvent(event);
      answer(200);
    } catch (error) {
      logger.error('slack: processing failed', { type: body.type, error });
      answer(500);
    }
    await markHandled.catch((error) => logger.error('slack: recording the delivery failed', { error }));
  }
}
