import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { LowdbStorage } from '../../../adapters/store/lowdb/lowdb-storage.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { WELCOME_TEXT } from './test-bot.js';
import { call, postMessage, startConversation, startWebChatServer } from './webchat-server.js';

describe('web chat: restart, demo identities and pages', () => {
  it('keeps conversations and logs across a restart with LowdbStorage: the same token sees its history', async () => {
    const dir = tempDir('webchat-restart-');
    try {
      const storeDir = `${dir.path}/store`;
      let storage = new LowdbStorage({ dir: storeDir });
      let srv = await startWebChatServer({ storage, dataDir: dir.path });
      const conv = await startConversation(srv.base);
      await postMessage(srv.base, conv, 'remember me');
      await srv.close();
      await storage.close();

      storage = new LowdbStorage({ dir: storeDir });
      srv = await startWebChatServer({ storage, dataDir: dir.path });
      try {
        const resumed = await call(srv.base, 'POST', '/v3/directline/conversations', { token: conv.token });
        expect(resumed.status).to.equal(200);
        expect(resumed.body.conversationId).to.equal(conv.conversationId);
        const page = await call(srv.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
          token: conv.token,
        });
        const activities = page.body.activities as Partial<Activity>[];
        expect(activities.map((a) => a.text)).to.deep.equal([WELCOME_TEXT, 'remember me', 'echo: remember me']);
        const next = await postMessage(srv.base, conv, 'again');
        expect(next.status).to.equal(200);
        expect(String(next.body.id)).to.match(/\|0000004$/);
      } finally {
        await srv.close();
        await storage.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('on a demo install (no identity secret) signs demo identities only, and turns carry them', async () => {
    const srv = await startWebChatServer({ env: { WEBCHAT_IDENTITY_SECRET: '', SEED_DEMO: 'true' } });
    try {
      const demo = await call(srv.base, 'GET', '/demo/identity?msisdn=%2B15550100002');
      expect(demo.status).to.equal(200);
      const conv = await startConversation(srv.base, String(demo.body.identity));
      await postMessage(srv.base, conv, 'who');
      const page = await call(srv.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
        token: conv.token,
      });
      expect((page.body.activities as Partial<Activity>[]).map((a) => a.text)).to.include(
        'you are +15550100002 via webchat-token',
      );
      expect((await call(srv.base, 'GET', '/demo/identity?msisdn=%2B447700900123')).status).to.equal(400);
      expect((await call(srv.base, 'GET', '/demo/identity?msisdn=nonsense')).status).to.equal(400);
    } finally {
      await srv.close();
    }
  });

  it('serves no demo identities once the operator secret is set, nor with SEED_DEMO=false', async () => {
    const envs: Record<string, string>[] = [{}, { WEBCHAT_IDENTITY_SECRET: '', SEED_DEMO: 'false' }];
    for (const env of envs) {
      const srv = await startWebChatServer({ env });
      try {
        expect((await call(srv.base, 'GET', '/demo/identity?msisdn=%2B15550100002')).status).to.equal(404);
      } finally {
        await srv.close();
      }
    }
  });

  it('serves the operator page, Web Chat from node_modules, the page script and the embed script', async () => {
    const srv = await startWebChatServer({ env: { OPERATOR_NAME: 'Acme <Mobile>', OPERATOR_COLOR: '#c2185b' } });
    try {
      const page = await fetch(`${srv.base}/`);
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include('Acme &#60;Mobile&#62;');
      expect(html).not.to.include('Acme <Mobile>');
      expect(html).to.include('#c2185b');
      expect(html).to.include('<script src="/webchat/webchat.js"></script>');
      expect(html).to.include(`"directLineDomain":"${srv.base}/v3/directline"`);
      const bundle = await fetch(`${srv.base}/webchat/webchat.js`);
      expect(bundle.status).to.equal(200);
      expect(bundle.headers.get('content-type')).to.match(/javascript/);
      expect((await bundle.text()).length).to.be.greaterThan(1_000_000);
      const script = await fetch(`${srv.base}/webchat/page.js`);
      expect(await script.text()).to.include('createDirectLine');
      const embed = await (await fetch(`${srv.base}/webchat/embed.js`)).text();
      expect(embed).to.include('Acme \\u003cMobile>');
      expect(embed).to.include(`${srv.base}/webchat/frame`);
      expect(embed).to.include('#c2185b');
      const frame = await fetch(`${srv.base}/webchat/frame`);
      expect(frame.status).to.equal(200);
    } finally {
      await srv.close();
    }
  });

  it('falls back to the default colour when the setting is not a plain colour', async () => {
    const srv = await startWebChatServer({ env: { OPERATOR_COLOR: 'red;}</style><script>alert(1)</script>' } });
    try {
      const html = await (await fetch(`${srv.base}/`)).text();
      expect(html).not.to.include('alert(1)');
      expect(html).to.include('#0b5cad');
    } finally {
      await srv.close();
    }
  });
});
