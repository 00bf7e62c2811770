/** `npm run simulate` drives the core's HTTP API, and a web chat visitor watching as Ana sees alerts arrive. */
import { expect } from 'chai';
import { simulate } from '../../../bench/simulate.js';
import { E2E_SECRETS } from '../../helpers/e2e-app.js';
import { type CareRig, startCareRig } from './care-rig.js';

describe('usage simulator', function () {
  this.timeout(60_000);
  let rig: CareRig;
  before(async () => {
    rig = await startCareRig({ now: '2026-03-10T12:00:00.000Z' });
  });
  after(async () => {
    await rig?.close();
  });

  it('raises charging events for the demo subscribers that reach the web chat as alerts', async () => {
    const ana = await rig.webchat('+15550100001');
    await ana.say('hi');
    const lines: string[] = [];
    const result = await simulate({
      baseUrl: rig.base,
      token: E2E_SECRETS.adminToken,
      intervalMs: 0,
      log: (l) => lines.push(l),
    });
    expect(result.refused).to.equal(0);
    expect(result.ok).to.equal(result.steps);
    const types = new Set(rig.events.map((e) => e.type));
    for (const t of ['balance.low', 'bucket.depleted', 'usage.zeroRated', 'bill.dueSoon', 'usage.pattern']) {
      expect(types, t).to.include(t);
    }
    const alerts = (await ana.newActivities()).map((a) => a.text ?? '');
    expect(alerts.some((t) => /YouTube session/.test(t))).to.equal(true);
    expect(lines.join('\n')).to.not.match(/\+1555/); // no MSISDN printed
  });

  it('says what is wrong when the token is refused', async () => {
    let message = '';
    await simulate({ baseUrl: rig.base, token: 'wrong', intervalMs: 0, log: () => undefined }).catch((e: Error) => {
      message = e.message;
    });
    expect(message).to.match(/refused ADMIN_TOKEN/);
  });
});
