/**
 * Remembers which Slack deliveries were already handled, in botbuilder `Storage`, so a retry (`X-Slack-Retry-Num`)
 * of an event, button click or modal submission is acknowledged and not processed twice, also after a restart.
 * A delivery is "in flight" from arrival to its ack, and recorded as handled only once acknowledged with 200: a
 * delivery that failed before its ack is processed when Slack retries it.
 */
import type { Storage } from 'botbuilder';

const PREFIX = 'slack/delivery/';

/** The identity of a delivery, or undefined for kinds that are never retried meaningfully. */
export function deliveryKeyOf(body: Record<string, unknown>): string | undefined {
  const type = body.type;
  if (type === 'event_callback' && typeof body.event_id === 'string') return `event:${body.event_id}`;
  const user = (body.user as { id?: string } | undefined)?.id ?? '';
  if (type === 'block_actions') {
    const action = (body.actions as { action_id?: string; action_ts?: string }[] | undefined)?.[0];
    if (action?.action_ts) return `action:${action.action_id}:${action.action_ts}:${user}`;
  }
  if (type === 'view_submission') {
    const view = body.view as { id?: string; hash?: string } | undefined;
    if (view?.id) return `view:${view.id}:${view.hash ?? ''}:${user}`;
  }
  return undefined;
}

export class SlackDeliveryLog {
  readonly #storage: Storage;
  readonly #inFlight = new Set<string>();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** True when the delivery is new and now in flight; false for a duplicate (handled or still in flight). */
  async begin(key: string): Promise<boolean> {
    if (this.#inFlight.has(key)) return false;
    this.#inFlight.add(key);
    const seen = await this.#storage.read([PREFIX + key]);
    if (seen[PREFIX + key]) {
      this.#inFlight.delete(key);
      return false;
    }
    return true;
  }

  async handled(key: string, at: Date): Promise<void> {
    await this.#storage.write({ [PREFIX + key]: { at: at.toISOString(), eTag: '*' } });
    this.#inFlight.delete(key);
  }

  failed(key: string): void {
    this.#inFlight.delete(key);
  }
}
