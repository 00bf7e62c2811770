/**
 * The browser script of the chat pages (`/` and `/webchat/frame`), served as `/webchat/page.js`. Kept as a string
 * so it ships inside the compiled server (tsc copies no assets into dist/).
 *
 * Flow: read settings from `#webchat-config`; reuse the conversation token saved in sessionStorage (refreshed,
 * so a reloaded page resumes the same conversation and replays its history), else get a visitor token from
 * `POST /api/webchat/token` (with `{identity}` when the operator's site passed one in the URL hash, or, on a demo
 * install, one signed by `/demo/identity` for `?as=<msisdn>`) and a conversation token from `tokens/generate`;
 * then render Microsoft's Web Chat on our Direct Line (`?ws=0`: polling instead of the WebSocket).
 * Exposes `window.webChatStore` and `window.webChatDirectLine` for tests and operator customisation, and sets
 * `data-ready` / `data-error` on `#webchat`.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('webchat-config').textContent);
  var params = new URLSearchParams(location.search);
  var hash = new URLSearchParams(location.hash.slice(1));
  var el = document.getElementById('webchat');
  // sessionStorage can be denied (a third-party iframe under strict storage rules): the chat still works, only a
  // reload then starts a new conversation.
  var memory = {};
  var storage = (function () {
    try { window.sessionStorage.getItem('webchat.probe'); return window.sessionStorage; } catch (e) {
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null; },
        setItem: function (k, v) { memory[k] = String(v); }
      };
    }
  })();

  function showError(message) {
    el.setAttribute('data-error', message);
    var note = document.createElement('p');
    note.className = 'webchat-error';
    note.setAttribute('role', 'alert');
    note.textContent = 'The chat could not start: ' + message;
    el.appendChild(note);
  }

  async function post(url, body, token) {
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    var res = await fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body || {}) });
    var json = await res.json().catch(function () { return {}; });
    if (!res.ok) throw new Error(json.code || 'HTTP ' + res.status);
    return json;
  }

  function remember(key, issued) {
    var session = { key: key, token: issued.token, expiresAt: Date.now() + issued.expires_in * 1000 };
    storage.setItem(key, JSON.stringify({ token: session.token, expiresAt: session.expiresAt }));
    return session;
  }

  async function obtainSession() {
    var as = params.get('as');
    var key = 'webchat.session.' + (as || 'visitor');
    var saved = null;
    try { saved = JSON.parse(storage.getItem(key) || 'null'); } catch (e) { saved = null; }
    if (saved && saved.expiresAt > Date.now() + 30000) {
      try { return remember(key, await post(cfg.directLineDomain + '/tokens/refresh', {}, saved.token)); } catch (e) { /* start afresh */ }
    }
    var identity = hash.get('identity') || undefined;
    if (!identity && as) {
      var res = await fetch(cfg.baseUrl + '/demo/identity?msisdn=' + encodeURIComponent(as));
      if (!res.ok) throw new Error('demo identities are not enabled on this server');
      identity = (await res.json()).identity;
    }
    var visitor = await post(cfg.tokenUrl, identity ? { identity: identity } : {});
    return remember(key, await post(cfg.directLineDomain + '/tokens/generate', {}, visitor.token));
  }

  obtainSession().then(function (session) {
    var directLine = window.WebChat.createDirectLine({
      token: session.token,
      domain: cfg.directLineDomain,
      webSocket: params.get('ws') !== '0'
    });
    // DirectLineJS refreshes its token every 15 minutes: keep the saved copy current so a reload still resumes.
    setInterval(function () {
      if (directLine.token && directLine.token !== session.token) {
        remember(session.key, { token: directLine.token, expires_in: 25 * 60 });
        session.token = directLine.token;
      }
    }, 60000);
    var store = window.WebChat.createStore();
    window.webChatStore = store;
    window.webChatDirectLine = directLine;
    window.WebChat.renderWebChat({
      directLine: directLine,
      store: store,
      locale: params.get('locale') || 'en-US',
      styleOptions: {
        accent: cfg.operatorColor,
        bubbleFromUserBackground: cfg.operatorColor,
        bubbleFromUserTextColor: '#ffffff',
        botAvatarInitials: cfg.botInitials,
        hideUploadButton: true,
        suggestedActionLayout: 'flow',
        rootHeight: '100%'
      }
    }, el);
    el.setAttribute('data-ready', 'true');
  }).catch(function (err) { showError(err && err.message ? err.message : String(err)); });
})();
`;
