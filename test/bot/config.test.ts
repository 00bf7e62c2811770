/**
 * Standing rule: `.env.example` documents every setting. Every variable `bot/config.ts` reads, and every one
 * of CONTRACTS.md section 2, must be there with a comment above it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../bot/config.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CONTRACT_VARIABLES = [
  'PORT',
  'PUBLIC_URL',
  'DATA_DIR',
  'ADMIN_TOKEN',
  'CHARGING_URL',
  'CHARGING_TOKEN',
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  'GRAPH_API_URL',
  'WHATSAPP_PROVIDER',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'CHROMIUM_PATH',
  'MESSENGER_APP_SECRET',
  'MESSENGER_VERIFY_TOKEN',
  'MESSENGER_PAGE_ACCESS_TOKEN',
  'WEBCHAT_IDENTITY_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_AGENT_CHANNEL',
  'SLACK_API_URL',
  'PAYMENT_PROVIDER',
  'SMS_PROVIDER',
  'LOG_LEVEL',
];

function documented(): Map<string, string> {
  const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n');
  const out = new Map<string, string>();
  lines.forEach((line, i) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (m) out.set(m[1], lines[i - 1] ?? '');
  });
  return out;
}

describe('settings', () => {
  it('documents every variable the code reads and every contract variable, each with a comment', () => {
    const read = [
      ...readFileSync(join(ROOT, 'bot', 'config.ts'), 'utf8').matchAll(/str\(env, '([A-Za-z0-9_]+)'\)/g),
    ].map((m) => m[1]);
    expect(read.length).to.be.greaterThan(20);
    const docs = documented();
    for (const name of new Set([...read, ...CONTRACT_VARIABLES])) {
      expect(docs.has(name), `${name} in .env.example`).to.equal(true);
      expect(docs.get(name), `comment above ${name}`).to.match(/^#|^[A-Za-z_]+=/);
    }
  });

  it('has the contract defaults', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(3978);
    expect(c.publicUrl).to.equal('http://localhost:3978');
    expect(c.dataDir).to.equal('./data');
    expect(c.graphApiUrl).to.equal('https://graph.facebook.com/v21.0');
    expect(c.whatsapp.provider).to.equal('cloud');
    expect(c.slack.apiUrl).to.equal('https://slack.com/api/');
    expect(c.paymentProvider).to.equal('sandbox');
    expect(c.smsProvider).to.equal('outbox');
    expect(c.logLevel).to.equal('info');
    expect(c.adminToken).to.equal(undefined);
    expect(loadConfig({ PORT: '4000' }).publicUrl).to.equal('http://localhost:4000');
  });

  it('refuses a bad WHATSAPP_PROVIDER or PORT with a clear error', () => {
    expect(() => loadConfig({ WHATSAPP_PROVIDER: 'fax' })).to.throw(/WHATSAPP_PROVIDER/);
    expect(() => loadConfig({ PORT: 'eighty' })).to.throw(/PORT/);
  });
});
