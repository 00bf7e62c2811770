/**
 * Settings, from the environment only (a `.env` file is read if present). Every variable is documented in
 * `.env.example`; names and defaults are those of CONTRACTS.md section 2.
 */
import { existsSync } from 'node:fs';

export type WhatsAppProvider = 'cloud' | 'web' | 'off';

export interface Config {
  port: number;
  publicUrl: string;
  dataDir: string;
  adminToken?: string;
  chargingUrl?: string;
  chargingToken?: string;
  microsoftApp: { appId: string; appPassword: string; appType: string; tenantId: string };
  graphApiUrl: string;
  whatsapp: {
    provider: WhatsAppProvider;
    appSecret?: string;
    verifyToken?: string;
    accessToken?: string;
    phoneNumberId?: string;
    /** Approved template names per purpose, for messages outside the 24-hour window. */
    templates: Record<string, string>;
    templateLanguage: string;
  };
  chromiumPath: string;
  messenger: { appSecret?: string; verifyToken?: string; pageAccessToken?: string };
  webchat: { identitySecret?: string; operatorName: string; operatorColor: string; tokenSecret: string };
  slack: {
    botToken?: string;
    signingSecret?: string;
    agentChannel?: string;
    apiUrl: string;
    queueTimeoutSeconds: number;
    /** The app's bot id (`B...`) and bot user id (`U...`): when both are set Bolt never calls `auth.test`. */
    botId?: string;
    botUserId?: string;
  };
  paymentProvider: string;
  paymentCallbackSecret: string;
  smsProvider: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  seedDemo: boolean;
  /** Proactive care (bot/care): alerts the bot sends first. */
  alerts: AlertSettings;
}

/** Quiet hours in the subscriber's local time: from `start` until `end` (minutes after midnight; may wrap). */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

export interface AlertSettings {
  /** At most this many alerts per subscriber per local day; 0 turns alerts off. */
  maxPerDay: number;
  /** No alerts in these hours (deferred to their end); undefined = none. */
  quietHours?: QuietHours;
  /** IANA time zone for subscribers whose account has none. */
  defaultTimeZone: string;
  /** A deferred alert older than this is dropped instead of sent. */
  staleAfterHours: number;
  /** WhatsApp approved template per event type, used outside the 24-hour window. */
  whatsappTemplates: Record<string, string>;
}

/** `21-8`, `21:30-07:00`; `off` or empty for none. */
export function parseQuietHours(value: string | undefined): QuietHours | undefined {
  if (value === undefined || value === 'off' || value === 'none') return undefined;
  const m = /^(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?$/.exec(value);
  const minute = (h: string, mm: string | undefined) => Number(h) * 60 + Number(mm ?? 0);
  const start = m ? minute(m[1], m[2]) : Number.NaN;
  const end = m ? minute(m[3], m[4]) : Number.NaN;
  const valid = (x: number) => Number.isInteger(x) && x >= 0 && x < 24 * 60;
  if (!m || !valid(start) || !valid(end) || Number(m[2] ?? 0) > 59 || Number(m[4] ?? 0) > 59) {
    throw new Error('ALERTS_QUIET_HOURS must look like 21-8 or 21:30-07:00 (or off)');
  }
  return start === end ? undefined : { startMinute: start, endMinute: end };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const ALERT_TEMPLATE_DEFAULTS: Record<string, string> = {
  'balance.low': 'alert_balance_low',
  'bucket.depleted': 'alert_bucket_depleted',
  'bucket.expiring': 'alert_bucket_expiring',
  'bill.dueSoon': 'alert_bill_due_soon',
  'bill.overdue': 'alert_bill_overdue',
  'usage.zeroRated': 'alert_zero_rated',
  'usage.pattern': 'alert_usage_pattern',
};

function alertSettings(env: NodeJS.ProcessEnv): AlertSettings {
  const maxPerDay = Number(str(env, 'ALERTS_MAX_PER_DAY') ?? 3);
  if (!Number.isInteger(maxPerDay) || maxPerDay < 0) throw new Error('ALERTS_MAX_PER_DAY must be an integer >= 0');
  const staleAfterHours = Number(str(env, 'ALERTS_STALE_HOURS') ?? 24);
  if (!(staleAfterHours > 0)) throw new Error('ALERTS_STALE_HOURS must be a positive number');
  const defaultTimeZone = str(env, 'ALERTS_TIME_ZONE') ?? 'UTC';
  if (!isTimeZone(defaultTimeZone)) throw new Error('ALERTS_TIME_ZONE must be an IANA time zone, e.g. Europe/Madrid');
  const whatsappTemplates: Record<string, string> = {};
  for (const [type, name] of Object.entries(ALERT_TEMPLATE_DEFAULTS)) {
    // balance.low -> WHATSAPP_TEMPLATE_ALERT_BALANCE_LOW, bill.dueSoon -> WHATSAPP_TEMPLATE_ALERT_BILL_DUE_SOON
    const variable = `WHATSAPP_TEMPLATE_ALERT_${type
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .replace('.', '_')
      .toUpperCase()}`;
    whatsappTemplates[type] = str(env, variable) ?? name;
  }
  return {
    maxPerDay,
    quietHours: parseQuietHours(str(env, 'ALERTS_QUIET_HOURS') ?? '21-8'),
    defaultTimeZone,
    staleAfterHours,
    whatsappTemplates,
  };
}

function str(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Loads `.env` (if present) into process.env without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(str(env, 'PORT') ?? 3978);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be an integer from 0 to 65535');
  const publicUrl = (str(env, 'PUBLIC_URL') ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const level = (str(env, 'LOG_LEVEL') ?? 'info') as Config['logLevel'];
  const provider = (str(env, 'WHATSAPP_PROVIDER') ?? 'cloud') as WhatsAppProvider;
  if (!['cloud', 'web', 'off'].includes(provider)) throw new Error('WHATSAPP_PROVIDER must be cloud, web or off');
  const adminToken = str(env, 'ADMIN_TOKEN');
  return {
    port,
    publicUrl,
    dataDir: str(env, 'DATA_DIR') ?? './data',
    adminToken,
    chargingUrl: str(env, 'CHARGING_URL'),
    chargingToken: str(env, 'CHARGING_TOKEN'),
    microsoftApp: {
      appId: str(env, 'MicrosoftAppId') ?? '',
      appPassword: str(env, 'MicrosoftAppPassword') ?? '',
      appType: str(env, 'MicrosoftAppType') ?? '',
      tenantId: str(env, 'MicrosoftAppTenantId') ?? '',
    },
    graphApiUrl: (str(env, 'GRAPH_API_URL') ?? 'https://graph.facebook.com/v21.0').replace(/\/+$/, ''),
    whatsapp: {
      provider,
      appSecret: str(env, 'WHATSAPP_APP_SECRET'),
      verifyToken: str(env, 'WHATSAPP_VERIFY_TOKEN'),
      accessToken: str(env, 'WHATSAPP_ACCESS_TOKEN'),
      phoneNumberId: str(env, 'WHATSAPP_PHONE_NUMBER_ID'),
      templates: {
        reengage: str(env, 'WHATSAPP_TEMPLATE_REENGAGE') ?? 'account_update',
        alert: str(env, 'WHATSAPP_TEMPLATE_ALERT') ?? 'account_alert',
        payment: str(env, 'WHATSAPP_TEMPLATE_PAYMENT') ?? 'payment_update',
        agent: str(env, 'WHATSAPP_TEMPLATE_AGENT') ?? 'agent_reply',
      },
      templateLanguage: str(env, 'WHATSAPP_TEMPLATE_LANGUAGE') ?? 'en_US',
    },
    chromiumPath: str(env, 'CHROMIUM_PATH') ?? '/usr/bin/chromium',
    messenger: {
      appSecret: str(env, 'MESSENGER_APP_SECRET'),
      verifyToken: str(env, 'MESSENGER_VERIFY_TOKEN'),
      pageAccessToken: str(env, 'MESSENGER_PAGE_ACCESS_TOKEN'),
    },
    webchat: {
      identitySecret: str(env, 'WEBCHAT_IDENTITY_SECRET'),
      operatorName: str(env, 'OPERATOR_NAME') ?? 'Telco',
      operatorColor: str(env, 'OPERATOR_COLOR') ?? '#0b5cad',
      // Signs Direct Line tokens. When unset, a random secret is made and kept in DATA_DIR.
      tokenSecret: str(env, 'DIRECTLINE_TOKEN_SECRET') ?? '',
    },
    slack: {
      botToken: str(env, 'SLACK_BOT_TOKEN'),
      signingSecret: str(env, 'SLACK_SIGNING_SECRET'),
      agentChannel: str(env, 'SLACK_AGENT_CHANNEL'),
      apiUrl: str(env, 'SLACK_API_URL') ?? 'https://slack.com/api/',
      queueTimeoutSeconds: Number(str(env, 'HANDOFF_QUEUE_TIMEOUT_SECONDS') ?? 300),
      botId: str(env, 'SLACK_BOT_ID'),
      botUserId: str(env, 'SLACK_BOT_USER_ID'),
    },
    paymentProvider: str(env, 'PAYMENT_PROVIDER') ?? 'sandbox',
    paymentCallbackSecret: str(env, 'PAYMENT_CALLBACK_SECRET') ?? '',
    smsProvider: str(env, 'SMS_PROVIDER') ?? 'outbox',
    logLevel: ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info',
    seedDemo: (str(env, 'SEED_DEMO') ?? 'true') !== 'false',
    alerts: alertSettings(env),
  };
}
