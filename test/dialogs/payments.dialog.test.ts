import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { LowdbStorage } from '../../adapters/store/lowdb/lowdb-storage.js';
import type { Activity } from 'botbuilder';
import {
  ANA,
  actionsOf,
  BEN,
  CHANNELS,
  createHarness,
  PUBLIC_URL,
  play,
  signIn,
  textOf,
} from '../helpers/bot-harness.js';
import { tempDir } from '../helpers/temp-dir.js';

const LINK = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}/pay/(pay_[\\w-]+)`);

function linkOf(replies: Partial<Activity>[]): { url: string; id: string } {
  const m = textOf(replies).match(LINK);
  if (!m) throw new Error(`no payment link in ${JSON.stringify(textOf(replies))}`);
  const open = actionsOf(replies).find((a) => a.type === 'openUrl');
  expect(open?.value, 'openUrl action with the same link').to.equal(m[0]);
  return { url: m[0], id: m[1] };
}

describe('dialogs: bills, paying, top-up', () => {
  for (const channelId of CHANNELS) {
    describe(`on ${channelId}`, () => {
      it('bill status, explanation line by line, and paying with a link (the same link while it is open)', async () => {
        const h = await createHarness({ channelId, msisdn: BEN });
        await signIn(h, BEN);
        await play(h, [
          [
            'how much is my bill',
            (r) => {
              expect(textOf(r)).to.match(/Your bill is \$55\.55, due on March 13 \(in 3 days\)\. It is not paid yet\./);
              expect(actionsOf(r).map((a) => a.value)).to.deep.equal(['Pay my bill', 'Explain my bill']);
            },
          ],
          [
            'Explain my bill',
            [
              /Your bill is \$55\.55, last time it was \$33\.00/,
              /- Postpaid Plus monthly fee: \$30\.00 \(same\)/,
              /- Streaming Pass add-on: \$8\.00 \(new\)/,
              /- International calls \(Mexico, 25 min\): \$12\.50 \(new\)/,
              /- Sales tax: \$5\.05 \(was \$3\.00\)/,
            ],
          ],
        ]);
        const first = linkOf(await h.say('Pay my bill'));
        const payment = await h.core.getPayment(first.id);
        expect(payment.ok && payment.value).to.deep.include({
          status: 'created',
          amount: { amount: 5555, currency: 'USD' },
        });
        expect(payment.ok && payment.value.metadata?.channelId).to.equal(channelId);

        // Asking again, or saying something else, while the link is open: the same link, no new payment.
        const again = await h.say('I want to pay my bill');
        expect(textOf(again)).to.match(/still open/);
        expect(linkOf(again).id).to.equal(first.id);
        await play(h, [['hello', [/Hi Ben/, /still waiting to be completed/, new RegExp(first.id)]]]);
        const sub = await h.core.getSubscriber(BEN);
        expect(sub.ok && sub.value.payments).to.have.length(1);

        // Once paid (the checkout settles it in the core), the bill reads as paid.
        expect((await h.core.settlePayment(first.id, { providerRef: 'test' })).ok).to.equal(true);
        await play(h, [
          ['pay my bill', /all paid, nothing is due/],
          ['my bill', /Your last bill of \$55\.55 is paid/],
        ]);
      });

      it('top-up: suggests common amounts, then sends the payment link', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'I want to top up',
            (r) => {
              expect(textOf(r)).to.match(/How much would you like to top up/);
              expect(actionsOf(r).map((a) => a.title)).to.deep.equal(['$5.00', '$10.00', '$20.00', '$50.00']);
            },
          ],
          ['a lot', /pick an amount/],
        ]);
        const link = linkOf(await h.say('$20.00'));
        const p = await h.core.getPayment(link.id);
        expect(p.ok && p.value.purpose).to.deep.equal({ type: 'topup' });
        expect(p.ok && p.value.amount.amount).to.equal(2000);
        const direct = linkOf(await h.say('top up 10 dollars'));
        const q = await h.core.getPayment(direct.id);
        expect(q.ok && q.value.amount.amount).to.equal(1000);
        await play(h, [
          ['top up 500000 dollars', [/That amount can't be used/, /How much would you like to top up/]],
          ['cancel', /cancelled/],
        ]);
      });

      it('postpaid cannot top up and prepaid has no bills', async () => {
        const ben = await createHarness({ channelId, msisdn: BEN });
        await signIn(ben, BEN);
        await play(ben, [['top up 10', /Top-ups are for prepaid plans/]]);
        const ana = await createHarness({ channelId, msisdn: ANA });
        await signIn(ana, ANA);
        await play(ana, [
          ['show my bill', /prepaid plan, so you have no bills/],
          ['pay my bill', /nothing is due/],
        ]);
      });

      it('never asks for card details; a card number typed in is removed and warned about', async () => {
        const dir = tempDir();
        const storage = new LowdbStorage({ dir: dir.path });
        try {
          const h = await createHarness({ channelId, msisdn: BEN, storage });
          await signIn(h, BEN);
          await play(h, [['pay my bill', /payment link/]]);
          for (const card of ['my card is 4242 4242 4242 4242 exp 12/30', '4000-0000-0000-0002', '4242424242424242']) {
            const r = await h.say(card);
            expect(textOf(r)).to.match(/never send card details/);
            expect(textOf(r)).to.match(/still open/);
            expect(textOf(r)).not.to.match(/4242|0002/);
          }
          await storage.close();
          const files = readdirSync(dir.path)
            .map((f) => readFileSync(join(dir.path, f), 'utf8'))
            .join('\n');
          expect(files).to.include('never send card details');
          expect(files).not.to.match(/4242|0000.?0002/);
        } finally {
          await storage.close();
          dir.remove();
        }
      });
    });
  }
});
