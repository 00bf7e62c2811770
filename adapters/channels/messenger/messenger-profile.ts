/**
 * The Page's Messenger profile: a Get Started button and a persistent menu, set through
 * `POST {GRAPH}/me/messenger_profile` at start when configured (the composition root calls this).
 * Meta requires a Get Started button before it accepts a persistent menu.
 */
import type { Config } from '../../../bot/config.js';
import type { Logger } from '../../../bot/logger.js';
import { GraphApiClient } from '../meta/graph-api.client.js';

export type MenuItem = { title: string; payload: string } | { title: string; url: string };

export interface MessengerProfile {
  /** Postback payload of the Get Started button (arrives as the text of the first message activity). */
  getStartedPayload?: string;
  /** Greeting shown before the conversation starts. */
  greeting?: string;
  /** Up to 20 top-level items; postbacks arrive as message activities whose text is the payload. */
  persistentMenu?: MenuItem[];
}

export type ProfileResult =
  | { ok: true }
  | { ok: false; code: 'MESSENGER.NOT_CONFIGURED' | 'MESSENGER.PROFILE_REJECTED' };

export function messengerProfileBody(profile: MessengerProfile): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (profile.getStartedPayload) body.get_started = { payload: profile.getStartedPayload };
  if (profile.greeting) body.greeting = [{ locale: 'default', text: profile.greeting.slice(0, 160) }];
  if (profile.persistentMenu?.length && profile.getStartedPayload) {
    body.persistent_menu = [
      {
        locale: 'default',
        composer_input_disabled: false,
        call_to_actions: profile.persistentMenu
          .slice(0, 20)
          .map((item) =>
            'url' in item
              ? { type: 'web_url', title: item.title.slice(0, 30), url: item.url }
              : { type: 'postback', title: item.title.slice(0, 30), payload: item.payload },
          ),
      },
    ];
  }
  return body;
}

export async function configureMessengerProfile(deps: {
  config: Config;
  logger: Logger;
  profile: MessengerProfile;
}): Promise<ProfileResult> {
  const token = deps.config.messenger.pageAccessToken;
  const body = messengerProfileBody(deps.profile);
  if (!token || Object.keys(body).length === 0) return { ok: false, code: 'MESSENGER.NOT_CONFIGURED' };
  const graph = new GraphApiClient({
    baseUrl: deps.config.graphApiUrl,
    logger: deps.logger,
    retryDelaysMs: [500, 2000],
  });
  const r = await graph.post('me/messenger_profile', token, body);
  if (!r.ok) {
    deps.logger.warn('messenger profile not set', { status: r.status, code: r.graphCode });
    return { ok: false, code: 'MESSENGER.PROFILE_REJECTED' };
  }
  deps.logger.info('messenger profile set', { fields: Object.keys(body) });
  return { ok: true };
}
