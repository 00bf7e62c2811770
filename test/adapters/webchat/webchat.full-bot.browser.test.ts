/**
 * Issue 4's browser flow with the whole product (composeApp: the real bot, dialogs, recognizer and embedded
 * charging core with demo data): Microsoft Web Chat in headless Debian Chromium, over the WebSocket stream and
 * over polling. An identified demo subscriber checks a balance and swaps with confirmation; an anonymous visitor
 * verifies with the one-time code from the outbox; a reload shows the history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { type ComposedApp, composeApp } from '../../../bot/compose.js';
import { loadConfig } from '../../../bot/config.js';
import { silentLogger } from '../../../bot/logger.js';
import type { Bucket } from '../../../charging/model.js';
import { launchBrowser, openWebChat } from '../../helpers/browser.js';

const ADMIN_TOKEN = 'admin-token-for-tests';

/** PUBLIC_URL must be known before the server starts (stream URLs and links carry it): take a free port first. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const sessions = (buckets: Bucket[], app: string) =>
  buckets.filter((b) => b.app === app).reduce((sum, b) => sum + b.remainingValue, 0);

describe('web chat with the whole bot (browser)', function () {
  this.timeout(180_000);
  let app: ComposedApp;
  let browser: Browser;
  let base = '';
  let dataDir = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'webchat-full-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      PORT: String(port),
      PUBLIC_URL: base,
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      WHATSAPP_PROVIDER: 'off',
    });
    app = await composeApp({ config, logger: silentLogger });
    await app.listen('127.0.0.1');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an identified subscriber checks a balance and swaps with confirmation (WebSocket), and a reload keeps the history', async () => {
    const chat = await openWebChat(browser, base, { as: '+15550100001' });
    await chat.waitForBotText(/Ana/);
    await chat.send('how many youtube sessions do i have');
    await chat.waitForBotText(/YouTube sessions: 10 left/);

    await chat.send('swap 10 facebook for youtube');
    await chat.waitForBotText(/Swap 10 Facebook sessions for 5 YouTube sessions/);
    await chat.clickSuggestedAction('Yes');
    await chat.waitForBotText(/Done: 10 Facebook swapped for 5 YouTube/);

    const after = await app.charging.getSubscriber('+15550100001');
    if (!after.ok) throw new Error(after.error.code);
    expect(sessions(after.value.buckets, 'facebook')).to.equal(90);
    expect(sessions(after.value.buckets, 'youtube')).to.equal(15);

    await chat.reload();
    await chat.waitForBotText(/Done: 10 Facebook swapped for 5 YouTube/);
    expect(await chat.userTexts()).to.include.members([
      'how many youtube sessions do i have',
      'swap 10 facebook for youtube',
    ]);
    await chat.close();
  });

  it('an anonymous visitor verifies with the one-time code from the outbox, then sees balances (polling)', async () => {
    const chat = await openWebChat(browser, base, { webSocket: false });
    await chat.send("what's my balance");
    await chat.waitForBotText(/mobile number/);
    // Nothing about any account is said before the number is proven.
    expect((await chat.botTexts()).join(' ')).not.to.match(/YouTube|Credit/);

    await chat.send('+15550100003');
    await chat.waitForBotText(/6-digit code/);
    const outbox = await fetch(`${base}/api/v1/outbox?msisdn=%2B15550100003`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(outbox.status).to.equal(200);
    const code = /\b(\d{6})\b/.exec(JSON.stringify(await outbox.json()))?.[1];
    expect(code, 'a code in the outbox').to.be.a('string');

    await chat.send(code!);
    await chat.waitForBotText(/Chloe, you are verified/);
    await chat.waitForBotText(/YouTube sessions: 2 left/);
    await chat.close();
  });
});
