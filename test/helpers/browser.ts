/**
 * Headless Debian Chromium for the browser tests, driven by playwright-core; never a downloaded browser.
 * `launchBrowser()` starts `CHROMIUM_PATH` (default /usr/bin/chromium) and fails with the exact install command
 * when it is missing (the test is never skipped silently; `npm test` installs it first when root).
 *
 * `openWebChat()` opens our web chat page (`/`) and returns a small driver with stable selectors, for the web
 * chat's own tests and the full-bot flows (balances, swaps, one-time codes):
 *
 *   const chat = await openWebChat(browser, base, { as: '+15550100001' });   // or {} for an anonymous visitor
 *   await chat.send('what is my balance');
 *   await chat.waitForBotText(/Facebook/);
 *   await chat.clickSuggestedAction('Yes');
 *   await chat.reload();                                                       // same conversation, history replayed
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is missing at ${executablePath}. Install it with: apt-get update && apt-get install -y --no-install-recommends chromium`,
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** Stable selectors of Microsoft Web Chat 4.18 (class names are its public styling hooks) and of our page. */
export const WEBCHAT_SELECTORS = {
  ready: '#webchat[data-ready="true"]',
  error: '#webchat[data-error]',
  input: '[data-id="webchat-sendbox-input"]',
  sendButton: 'button.webchat__send-button',
  userBubble: '.webchat__stacked-layout--from-user .webchat__bubble__content',
  botBubble: '.webchat__stacked-layout:not(.webchat__stacked-layout--from-user) .webchat__bubble__content',
  suggestedAction: 'button.webchat__suggested-action',
  activityStatus: '.webchat__activity-status',
} as const;

export interface OpenWebChatOptions {
  /** Chat as this demo subscriber (`/?as=`; needs a demo install: SEED_DEMO on, no WEBCHAT_IDENTITY_SECRET). */
  as?: string;
  /** An identity JWT signed by the operator's server, passed in the URL hash as the embed script does. */
  identity?: string;
  /** false: HTTP polling (`?ws=0`) instead of the WebSocket stream. */
  webSocket?: boolean;
  /** Page to open (default `/`; `/webchat/frame` is the chat alone). */
  path?: string;
  /** How long to wait for things, in ms (default 60 s: a busy CI machine parses the 3.9 MB Web Chat bundle slowly). */
  timeoutMs?: number;
}

export interface WebChatDriver {
  page: Page;
  /** Types `text` in the send box and sends it. */
  send(text: string): Promise<void>;
  /** Waits until `count` (default 1) bot bubbles match `text` (substring or RegExp). */
  waitForBotText(text: string | RegExp, count?: number): Promise<void>;
  /** Waits until the visitor's message `text` is shown and marked sent (echoed back by the server). */
  waitForSent(text: string): Promise<void>;
  /** Clicks the suggested-action button titled `title` (the newest one if several). */
  clickSuggestedAction(title: string): Promise<void>;
  botTexts(): Promise<string[]>;
  userTexts(): Promise<string[]>;
  /** Reloads the page and waits for the chat to be ready again. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

function matches(text: string, wanted: string | RegExp): boolean {
  return typeof wanted === 'string' ? text.includes(wanted) : wanted.test(text);
}

/**
 * Opens the chat page in a new tab of `browser` (or of a context: tabs of one context share the HTTP cache, so
 * the Web Chat bundle is fetched once; each tab still has its own sessionStorage, hence its own conversation).
 */
export async function openWebChat(
  browser: Browser | BrowserContext,
  baseUrl: string,
  opts: OpenWebChatOptions = {},
): Promise<WebChatDriver> {
  const timeout = opts.timeoutMs ?? 60_000;
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  const query = new URLSearchParams();
  if (opts.as) query.set('as', opts.as);
  if (opts.webSocket === false) query.set('ws', '0');
  const url = `${baseUrl}${opts.path ?? '/'}${query.size ? `?${query}` : ''}${
    opts.identity ? `#identity=${encodeURIComponent(opts.identity)}` : ''
  }`;

  const waitReady = async () => {
    await page.waitForSelector(`${WEBCHAT_SELECTORS.ready}, ${WEBCHAT_SELECTORS.error}`);
    const error = await page.getAttribute('#webchat', 'data-error');
    if (error) throw new Error(`the web chat page failed to start: ${error}`);
    await page.waitForSelector(WEBCHAT_SELECTORS.input);
  };
  const texts = (selector: string) =>
    page.$$eval(selector, (nodes) => nodes.map((n) => (n as HTMLElement).innerText.trim()));

  await page.goto(url);
  await waitReady();

  return {
    page,
    async send(text) {
      await page.fill(WEBCHAT_SELECTORS.input, text);
      await page.press(WEBCHAT_SELECTORS.input, 'Enter');
    },
    async waitForBotText(text, count = 1) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const found = (await texts(WEBCHAT_SELECTORS.botBubble)).filter((t) => matches(t, text)).length;
        if (found >= count) return;
        if (Date.now() > deadline) {
          throw new Error(
            `no bot message matching ${String(text)}; bot said: ${JSON.stringify(await texts(WEBCHAT_SELECTORS.botBubble))}`,
          );
        }
        await page.waitForTimeout(100);
      }
    },
    async waitForSent(text) {
      // Sent = Web Chat got the echo with our clientActivityID and an id ("webchat:send-status" = "sent"),
      // and the bubble's status line no longer says sending/failed.
      await page.waitForFunction((t) => {
        const store = (
          window as unknown as {
            webChatStore?: {
              getState(): {
                activities: { from?: { role?: string }; text?: string; channelData?: Record<string, unknown> }[];
              };
            };
          }
        ).webChatStore;
        const activity = store?.getState().activities.find((a) => a.from?.role === 'user' && a.text === t);
        return activity?.channelData?.['webchat:send-status'] === 'sent';
      }, text);
      const statuses = await page.$$eval(
        '.webchat__stacked-layout--from-user',
        (rows, t) =>
          rows
            .filter((r) => (r.querySelector('.webchat__bubble__content') as HTMLElement | null)?.innerText.trim() === t)
            .map((r) => (r.querySelector('.webchat__activity-status') as HTMLElement | null)?.innerText ?? ''),
        text,
      );
      if (!statuses.some((s) => /sent|just now/i.test(s) && !/fail|sending/i.test(s))) {
        throw new Error(`the message was not marked sent: ${JSON.stringify(statuses)}`);
      }
    },
    async clickSuggestedAction(title) {
      const button = page.locator(WEBCHAT_SELECTORS.suggestedAction, { hasText: title }).last();
      await button.waitFor({ state: 'visible' });
      await button.click();
    },
    botTexts: () => texts(WEBCHAT_SELECTORS.botBubble),
    userTexts: () => texts(WEBCHAT_SELECTORS.userBubble),
    async reload() {
      await page.reload();
      await waitReady();
    },
    close: () => page.close(),
  };
}
