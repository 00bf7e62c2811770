import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { ANA, actionsOf, CHANNELS, createHarness, play, signIn, textOf } from '../helpers/bot-harness.js';

const handoffEvents = (r: Partial<Activity>[]) => r.filter((a) => a.type === 'event' && a.name === 'handoff.initiate');

describe('dialogs: greeting, help, small talk, fallback and the way to a person', () => {
  for (const channelId of CHANNELS) {
    describe(`on ${channelId}`, () => {
      it('greets by name, shows help as a short menu, answers thanks, goodbye and cancel', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'hello',
            (r) => {
              expect(textOf(r)).to.match(/^Hi Ana!/);
              expect(actionsOf(r).map((a) => a.type)).to.include('imBack');
            },
          ],
          [
            'what can you do?',
            (r) => {
              expect(textOf(r)).to.match(/Here is what I can do/);
              expect(actionsOf(r).map((a) => a.title)).to.include.members([
                'My balance',
                'Swap sessions',
                'Talk to a person',
              ]);
            },
          ],
          ['My balance', /Credit: \$5\.00/],
          ['thanks!', /You're welcome/],
          ['cancel', /nothing to cancel/],
          ['bye', /Goodbye/],
        ]);
      });

      it('help and cancel interrupt any step; the open question is asked again after help', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap some sessions', /Which sessions do you want to give up/],
          ['help', [/Here is what I can do/, /Which sessions do you want to give up/]],
          ['facebook', /Which app do you want sessions for/],
          ['cancel', /cancelled/],
          ['instagram', /didn't get that/],
        ]);
      });

      it('a confident new request while a question is open switches topic', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap sessions', /Which sessions/],
          ['what is my balance', /Credit: \$5\.00/],
        ]);
      });

      it('fallback: rephrase with suggestions, then after the second miss in a row offers a person', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'what is the capital of france',
            (r) => {
              expect(textOf(r)).to.match(/didn't get that/);
              expect(actionsOf(r).length).to.be.greaterThan(0);
              expect(handoffEvents(r)).to.have.length(0);
            },
          ],
          ['what is my balance', /Credit/],
          ['purple monkey dishwasher', /didn't get that/],
          ['recommend a good pizza place', [/Would you like me to ask a person/]],
          [
            'yes',
            (r) => {
              expect(textOf(r)).to.match(/asking one of our people/);
              const [event] = handoffEvents(r);
              expect(event, 'handoff.initiate event').to.exist;
              expect(event.value).to.include({ reason: 'misunderstood', channelId });
              const transcript = event.attachments?.find((a) => a.name === 'Transcript')?.content as {
                activities: Partial<Activity>[];
              };
              expect(transcript.activities.map((a) => a.text)).to.include('purple monkey dishwasher');
            },
          ],
        ]);
      });

      it('"talk to a person" from anywhere emits handoff.initiate, and nothing else runs', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap 10 fb for yt', /Swap 10/],
          [
            'I want to talk to a human agent',
            (r) => {
              expect(textOf(r)).to.match(/asking one of our people/);
              expect(handoffEvents(r)[0]?.value).to.include({ reason: 'customer_request' });
            },
          ],
          ['yes', /didn't get that/],
        ]);
        const ledger = await h.core.getLedger(ANA);
        expect(ledger.ok && ledger.value.filter((e) => e.reason.startsWith('swap'))).to.deep.equal([]);
      });

      it('a strongly negative message with nothing to do goes to a person; a plain question is still answered', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'this is terrible, I hate you, worst service ever',
            (r) => {
              expect(handoffEvents(r)[0]?.value).to.include({ reason: 'negative_sentiment' });
            },
          ],
        ]);
        const calm = await createHarness({ channelId, msisdn: ANA });
        await signIn(calm, ANA);
        await play(calm, [
          [
            'how many youtube sessions do i have',
            (r) => {
              expect(handoffEvents(r)).to.deep.equal([]);
              expect(textOf(r)).to.match(/YouTube sessions: 10 left/);
            },
          ],
        ]);
      });

      it('a misunderstood request never starts a transaction', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        for (const text of ['10', 'twenty', 'blah blah 50', 'I like turtles and 10 of them']) {
          const r = await h.say(text);
          expect(textOf(r), text).not.to.match(/payment link|Swap \d|Buy it\?/);
        }
        const sub = await h.core.getSubscriber(ANA);
        expect(sub.ok && sub.value.payments).to.deep.equal([]);
      });
    });
  }

  it('the handoff seams: a gate can take the turn (bot silent) and a requester replaces "agent"', async () => {
    const h = await createHarness({ channelId: 'webchat', msisdn: ANA });
    let owned = false;
    const requests: string[] = [];
    h.app.useHandoff({
      gate: { intercept: async () => owned },
      requester: { initiate: async (_ctx, req) => void requests.push(req.reason) },
    });
    await play(h, [['talk to an agent', (r) => expect(textOf(r)).to.equal('')]]);
    expect(requests).to.deep.equal(['customer_request']);
    owned = true;
    await play(h, [['what is my balance', (r) => expect(r).to.deep.equal([])]]);
    owned = false;
    await play(h, [['what is my balance', /Credit/]]);
  });
});
