/**
 * The browser side of the channel, all served by us (no CDN):
 * - `GET /`: the demo operator page, branded with the operator's name and colour, with the chat inline;
 * - `GET /webchat/frame`: the chat alone, full page (what the floating button opens in an iframe);
 * - `GET /webchat/embed.js`: one script tag adds a floating chat button to any page;
 * - `GET /webchat/webchat.js`: Microsoft's prebuilt Web Chat from our own `node_modules`;
 * - `GET /webchat/page.js`: the page script (page-script.ts).
 */
import { createReadStream, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { Config } from '../../../bot/config.js';
import { PAGE_SCRIPT } from './page-script.js';

const require = createRequire(import.meta.url);
const WEBCHAT_BUNDLE = join(dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only plain colours reach CSS: `#rgb`..`#rrggbbaa` or a colour keyword; anything else falls back. */
export function safeColor(color: string): string {
  return /^#[0-9a-fA-F]{3,8}$/.test(color) || /^[a-zA-Z]{3,20}$/.test(color) ? color : '#0b5cad';
}

function initials(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase() ?? '')
      .join('') || 'B'
  );
}

/** JSON for an inline `<script type="application/json">`: `<` escaped so nothing can close the tag. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function chatConfig(config: Config) {
  return {
    baseUrl: config.publicUrl,
    tokenUrl: `${config.publicUrl}/api/webchat/token`,
    directLineDomain: `${config.publicUrl}/v3/directline`,
    operatorName: config.webchat.operatorName,
    operatorColor: safeColor(config.webchat.operatorColor),
    botInitials: initials(config.webchat.operatorName),
  };
}

function chatHead(config: Config, title: string): string {
  const color = safeColor(config.webchat.operatorColor);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { display: flex; flex-direction: column; background: #f4f6f8; }
  .operator-bar { background: ${color}; color: #fff; padding: 12px 20px; font-size: 18px; font-weight: 600; }
  .webchat-error { color: #a00; padding: 16px; }
</style>
<script id="webchat-config" type="application/json">${inlineJson(chatConfig(config))}</script>
</head>`;
}

function demoPage(config: Config, demoIdentities: boolean): string {
  const name = escapeHtml(config.webchat.operatorName);
  const color = safeColor(config.webchat.operatorColor);
  const embed = escapeHtml(`<script src="${config.publicUrl}/webchat/embed.js" async></script>`);
  return `${chatHead(config, `${config.webchat.operatorName} · Help`)}
<body>
<header class="operator-bar" id="operator-name">${name}</header>
<main style="display:flex; flex:1; min-height:0; gap:24px; padding:24px; box-sizing:border-box; flex-wrap:wrap;">
  <section style="flex:1 1 280px; max-width:420px;">
    <h1 style="color:${color}; margin-top:0;">Hi! How can we help?</h1>
    <p>Check your balances, swap bundles, pay your bill or top up, right here in the chat.</p>
    <p>Your number is verified with a one-time code sent by SMS, or automatically when you are logged in on our site.</p>
    ${
      demoIdentities
        ? '<p><small>Demo install: add <code>?as=&lt;demo MSISDN&gt;</code> to this page to chat as a logged-in demo subscriber (README lists them).</small></p>'
        : ''
    }
    <p><small>Add the chat to any page with one tag:</small><br><code style="word-break:break-all;">${embed}</code></p>
  </section>
  <section id="webchat" role="region" aria-label="Chat with ${name}" style="flex:2 1 360px; min-height:480px; background:#fff; border-radius:8px; box-shadow:0 1px 4px rgba(0,0,0,.15); overflow:hidden;"></section>
</main>
<script src="/webchat/webchat.js"></script>
<script src="/webchat/page.js"></script>
</body>
</html>
`;
}

function framePage(config: Config): string {
  return `${chatHead(config, `${config.webchat.operatorName} · Chat`)}
<body>
<div id="webchat" role="region" aria-label="Chat with ${escapeHtml(config.webchat.operatorName)}" style="flex:1; min-height:0;"></div>
<script src="/webchat/webchat.js"></script>
<script src="/webchat/page.js"></script>
</body>
</html>
`;
}

function embedScript(config: Config): string {
  const settings = inlineJson({
    frameUrl: `${config.publicUrl}/webchat/frame`,
    name: config.webchat.operatorName,
    color: safeColor(config.webchat.operatorColor),
  });
  // The identity (a JWT signed by the operator's server) goes in the iframe's URL hash: never sent to a server log.
  return `(function () {
  'use strict';
  if (document.getElementById('webchat-launcher')) return;
  var s = ${settings};
  var script = document.currentScript;
  var identity = script && script.getAttribute('data-identity');
  var button = document.createElement('button');
  button.id = 'webchat-launcher';
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  button.textContent = 'Chat with ' + s.name;
  button.style.cssText = 'position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 20px;font:600 15px system-ui,sans-serif;color:#fff;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3);background:' + s.color;
  var frame = null;
  button.addEventListener('click', function () {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'webchat-frame';
      frame.title = 'Chat with ' + s.name;
      frame.src = s.frameUrl + (identity ? '#identity=' + encodeURIComponent(identity) : '');
      frame.style.cssText = 'position:fixed;right:20px;bottom:76px;z-index:2147483000;width:min(400px,calc(100vw - 40px));height:min(600px,calc(100vh - 100px));border:0;border-radius:12px;box-shadow:0 4px 16px rgba(0,0,0,.3);background:#fff;';
      document.body.appendChild(frame);
    } else {
      frame.style.display = frame.style.display === 'none' ? '' : 'none';
    }
    button.setAttribute('aria-expanded', String(frame.style.display !== 'none'));
  });
  document.body.appendChild(button);
})();
`;
}

function sendText(res: Response, status: number, contentType: string, body: string, cache = 'no-cache'): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': cache,
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

export function registerWebChatPages(server: Server, config: Config, opts: { demoIdentities: boolean }): void {
  server.get('/', async (_req: Request, res: Response) => {
    sendText(res, 200, 'text/html; charset=utf-8', demoPage(config, opts.demoIdentities));
  });
  server.get('/webchat/frame', async (_req: Request, res: Response) => {
    sendText(res, 200, 'text/html; charset=utf-8', framePage(config));
  });
  server.get('/webchat/page.js', async (_req: Request, res: Response) => {
    sendText(res, 200, 'application/javascript; charset=utf-8', PAGE_SCRIPT);
  });
  server.get('/webchat/embed.js', async (_req: Request, res: Response) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    sendText(res, 200, 'application/javascript; charset=utf-8', embedScript(config));
  });
  server.get('/webchat/webchat.js', async (_req: Request, res: Response) => {
    const size = statSync(WEBCHAT_BUNDLE).size;
    res.writeHead(200, {
      'Content-Type': 'application/javascript; charset=utf-8',
      'Content-Length': size,
      'Cache-Control': 'public, max-age=86400',
      'X-Content-Type-Options': 'nosniff',
    });
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(WEBCHAT_BUNDLE);
      stream.on('error', reject);
      stream.on('end', () => resolve());
      stream.pipe(res);
    });
  });
}
