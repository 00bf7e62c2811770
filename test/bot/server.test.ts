import { expect } from 'chai';
import { silentLogger } from '../../bot/logger.js';
import { createHttpServer } from '../../bot/server.js';
import { jsonBody, sendJson } from '../../bot/http.js';

describe('HTTP server', () => {
  const server = createHttpServer({ logger: silentLogger, isReady: () => true });
  let base = '';
  before(async () => {
    server.post('/echo', ...jsonBody(100), (req, res, next) => {
      sendJson(res, 200, req.body);
      next();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('answers /healthz with status ok', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok' });
  });

  it('rejects malformed JSON with a stable code', async () => {
    const res = await fetch(`${base}/echo`, {
      method: 'POST',
      body: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).to.equal(400);
    expect((await res.json()).code).to.equal('REQUEST.MALFORMED_JSON');
  });

  it('rejects oversize bodies with 413', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(500) }) });
    expect(res.status).to.equal(413);
    expect((await res.json()).code).to.equal('REQUEST.TOO_LARGE');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${base}/nowhere`);
    expect(res.status).to.equal(404);
    expect((await res.json()).code).to.equal('REQUEST.NOT_FOUND');
  });
});
