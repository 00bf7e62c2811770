import { expect } from 'chai';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, openWebChat } from '../../helpers/browser.js';
import { WELCOME_TEXT } from './test-bot.js';
import { type StartedWebChat, startWebChatServer } from './webchat-server.js';

describe('web chat in headless Chromium (Microsoft Web Chat on our Direct Line)', function () {
  this.timeout(240_000);
  let browser: Browser;
  let context: BrowserContext;
  let srv: StartedWebChat;

  before(async () => {
    browser = await launchBrowser();
    context = await browser.newContext();
    // A demo install (no operator secret): the page can chat as a demo subscriber with ?as=.
    srv = await startWebChatServer({ env: { WEBCHAT_IDENTITY_SECRET: '', SEED_DEMO: 'true' } });
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  for (const webSocket of [true, false]) {
    it(`chats over ${webSocket ? 'the WebSocket stream' : 'polling (?ws=0)'}: sent, replied, a suggested action clicked, history after reload`, async () => {
      const sockets: string[] = [];
      const chat = await openWebChat(context, srv.base, { webSocket });
      chat.page.on('websocket', (ws) => sockets.push(ws.url()));
      try {
        await chat.waitForBotText(WELCOME_TEXT);
        await chat.send('hello there');
        await chat.waitForSent('hello there');
        await chat.waitForBotText('echo: hello there');

        await chat.send('menu');
        await chat.waitForBotText('What would you like to do?');
        expect(await chat.page.locator('button.webchat__suggested-action').allInnerTexts()).to.include.members([
          'Balance',
          'Swap',
          'Pay',
        ]);
        await chat.clickSuggestedAction('Balance');
        await chat.waitForSent('balance');
        await chat.waitForBotText('Your balance is 10.00');

        await chat.reload();
        await chat.waitForBotText('Your balance is 10.00');
        const history = await chat.botTexts();
        expect(history.filter((t) => t === WELCOME_TEXT)).to.have.length(1, 'the reload resumed the same conversation');
        expect(history).to.include('echo: hello there');
        expect(await chat.userTexts()).to.include.members(['hello there', 'menu', 'balance']);

        await chat.send('after reload');
        await chat.waitForBotText('echo: after reload');
        if (webSocket) expect(sockets.some((u) => u.includes('/v3/directline/conversations/'))).to.equal(true);
        else expect(sockets).to.deep.equal([]);
      } finally {
        await chat.close();
      }
    });
  }

  it('chats as an identified demo subscriber (?as=): the bot sees channelData.identity', async () => {
    const chat = await openWebChat(context, srv.base, { as: '+15550100001' });
    try {
      await chat.waitForBotText(WELCOME_TEXT);
      await chat.send('who');
      await chat.waitForBotText('you are +15550100001 via webchat-token');
    } finally {
      await chat.close();
    }
  });

  it('adds a floating chat button to any page with the embed script', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    try {
      await page.setContent(
        `<!doctype html><html><body><h1>Operator site</h1><script src="${srv.base}/webchat/embed.js"></script></body></html>`,
      );
      const button = page.locator('#webchat-launcher');
      expect(await button.innerText()).to.equal('Chat with Acme Mobile');
      expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).to.equal('rgb(194, 24, 91)');
      await button.click();
      const frame = page.frameLocator('#webchat-frame');
      await frame.locator('.webchat__bubble__content', { hasText: WELCOME_TEXT }).waitFor({ timeout: 60_000 });
    } finally {
      await page.close();
    }
  });
});
