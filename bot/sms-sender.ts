/**
 * The SMS port: how one-time codes reach a phone. `SMS_PROVIDER=outbox` (the default) stores the messages
 * (`adapters/sms/outbox/`), readable at `GET /api/v1/outbox`; a real SMS gateway is one more folder.
 */
export interface SmsSender {
  /** Sends `text` to `msisdn` (E.164). Resolves once the provider accepted it. */
  send(msisdn: string, text: string): Promise<void>;
}
