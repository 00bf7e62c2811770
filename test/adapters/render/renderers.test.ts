import { expect } from 'chai';
import type { Activity, CardAction } from 'botbuilder';
import { decodeChoiceId, encodeChoiceId } from '../../../adapters/channels/render/choice-ids.js';
import { renderMessenger } from '../../../adapters/channels/render/messenger.renderer.js';
import { chunkText, cut, toNeutralMessage } from '../../../adapters/channels/render/neutral-message.js';
import { renderNumberedText, resolveNumberedReply } from '../../../adapters/channels/render/numbered-text.renderer.js';
import { renderWhatsApp, renderWhatsAppTemplate } from '../../../adapters/channels/render/whatsapp.renderer.js';

type Json = Record<string, unknown>;
const asJson = (payload: unknown) => payload as Json;
const imBack = (n: number, title = (i: number) => `Choice ${i}`): CardAction[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'imBack', title: title(i + 1), value: `v${i + 1}` }));
const activity = (text: string, actions: CardAction[] = []): Partial<Activity> => ({
  type: 'message',
  text,
  suggestedActions: { actions, to: [] },
});

describe('channel renderers', () => {
  describe('WhatsApp: choice count decides the native form', () => {
    const table: [number, string, boolean][] = [
      [0, 'text', false],
      [1, 'interactive:button', false],
      [3, 'interactive:button', false],
      [4, 'interactive:list', false],
      [10, 'interactive:list', false],
      [11, 'text', true],
      [12, 'text', true],
    ];
    for (const [n, form, numbered] of table) {
      it(`${n} choices -> ${form}${numbered ? ' (numbered)' : ''}`, () => {
        const r = renderWhatsApp(toNeutralMessage(activity('Pick', imBack(n))), '15550100001');
        expect(r.payloads).to.have.length(1);
        const p = asJson(r.payloads[0]);
        expect(p.type === 'interactive' ? `interactive:${(p.interactive as Json).type}` : p.type).to.equal(form);
        expect(r.numbered).to.equal(numbered);
      });
    }
  });

  it('WhatsApp: cuts button titles to 20 and row titles to 24, keeping the full title as description', () => {
    const long = (i: number) => `A very long choice title number ${i}`;
    const buttons = asJson(renderWhatsApp(toNeutralMessage(activity('Pick', imBack(2, long))), 'x').payloads[0]);
    const titles = (((buttons.interactive as Json).action as Json).buttons as { reply: { title: string } }[]).map(
      (b) => b.reply.title,
    );
    expect(titles).to.deep.equal(['A very long choice …', 'A very long choice …']);
    const list = asJson(renderWhatsApp(toNeutralMessage(activity('Pick', imBack(5, long))), 'x').payloads[0]);
    const rows = (((list.interactive as Json).action as Json).sections as { rows: Json[] }[])[0].rows;
    expect(rows[0]).to.deep.equal({ id: 'v1', title: 'A very long choice titl…', description: long(1) });
    expect(((list.interactive as Json).action as Json).button).to.equal('Options');
  });

  it('WhatsApp: a body over 1024 chars goes first as text, then buttons with a short prompt', () => {
    const r = renderWhatsApp(toNeutralMessage(activity('x'.repeat(1500), imBack(2))), 'x');
    expect(r.payloads.map((p) => p.type)).to.deep.equal(['text', 'interactive']);
  });

  it('WhatsApp: long text is split into messages of at most 4096 chars', () => {
    const r = renderWhatsApp(toNeutralMessage(activity('word '.repeat(2000))), 'x');
    expect(r.payloads.length).to.equal(3);
    for (const p of r.payloads)
      expect(Array.from((p as { text: { body: string } }).text.body).length).to.be.at.most(4096);
  });

  it('WhatsApp: a value longer than an id allows travels as its position', () => {
    const long = 'v'.repeat(300);
    const r = renderWhatsApp(toNeutralMessage(activity('Pick', [{ type: 'imBack', title: 'Long', value: long }])), 'x');
    const id = (((asJson(r.payloads[0]).interactive as Json).action as Json).buttons as { reply: { id: string } }[])[0]
      .reply.id;
    expect(id).to.equal('#choice:0');
    expect(decodeChoiceId(id, [long])).to.equal(long);
  });

  it('WhatsApp: templates carry name, language and flattened text parameters', () => {
    expect(renderWhatsAppTemplate('1555', 'payment_update', 'en_US', ['10.00\nUSD'])).to.deep.equal({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '1555',
      type: 'template',
      template: {
        name: 'payment_update',
        language: { policy: 'deterministic', code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: '10.00 USD' }] }],
      },
    });
  });

  describe('Messenger: choice count decides the native form', () => {
    const table: [number, number | undefined][] = [
      [0, undefined],
      [2, 2],
      [13, 13],
      [14, undefined],
    ];
    for (const [n, quickReplies] of table) {
      it(`${n} choices -> ${quickReplies ?? 'no'} quick replies`, () => {
        const r = renderMessenger(toNeutralMessage(activity('Pick', imBack(n))), 'psid', {
          messaging_type: 'RESPONSE',
        });
        const m = r.payloads[0].message as { text: string; quick_replies?: unknown[] };
        expect(m.quick_replies?.length).to.equal(quickReplies);
        expect(r.numbered).to.equal(n > 13);
      });
    }
  });

  it('Messenger: links become button templates of up to 3 web_url buttons; quick replies ride on the last', () => {
    const actions: CardAction[] = [
      ...Array.from(
        { length: 4 },
        (_, i): CardAction => ({ type: 'openUrl', title: `Link ${i}`, value: `https://e.test/${i}` }),
      ),
      ...imBack(2),
    ];
    const r = renderMessenger(toNeutralMessage(activity('Links', actions)), 'psid', { messaging_type: 'UPDATE' });
    expect(r.payloads).to.have.length(2);
    expect(r.payloads.every((p) => p.messaging_type === 'UPDATE')).to.equal(true);
    const [first, second] = r.payloads.map((p) => p.message as Json);
    expect(((first.attachment as Json).payload as Json).buttons).to.have.length(3);
    expect(first.quick_replies).to.equal(undefined);
    expect(second.quick_replies).to.have.length(2);
  });

  it('Messenger: a tag is carried for agent replies outside the window', () => {
    const r = renderMessenger(toNeutralMessage(activity('Hi')), 'psid', {
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    expect(r.payloads[0]).to.deep.equal({
      recipient: { id: 'psid' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Hi' },
    });
  });

  it('numbered text lists choices and links; replies map back by number or title', () => {
    const message = toNeutralMessage(
      activity('Pick', [...imBack(3), { type: 'openUrl', title: 'Pay', value: 'https://p.test' }]),
    );
    expect(renderNumberedText(message)).to.equal(
      'Pick\n\n1. Choice 1\n2. Choice 2\n3. Choice 3\n\nPay: https://p.test',
    );
    const table: [string, string | undefined][] = [
      ['2', 'v2'],
      [' 3. ', 'v3'],
      ['#1', 'v1'],
      ['choice 2', 'v2'],
      ['4', undefined],
      ['0', undefined],
      ['two', undefined],
    ];
    for (const [reply, value] of table) expect(resolveNumberedReply(reply, message.choices), reply).to.equal(value);
  });

  it('neutral message: reads hero cards, postBack and messageBack actions', () => {
    const m = toNeutralMessage({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.hero',
          content: {
            text: 'Choose a plan',
            buttons: [
              { type: 'postBack', title: 'Prepaid', value: 'prepaid' },
              { type: 'messageBack', title: 'Postpaid', text: 'postpaid', value: { x: 1 } },
              { type: 'openUrl', title: 'Details', value: 'https://d.test' },
            ],
          },
        },
      ],
    });
    expect(m).to.deep.equal({
      text: 'Choose a plan',
      choices: [
        { title: 'Prepaid', value: 'prepaid' },
        { title: 'Postpaid', value: 'postpaid' },
      ],
      links: [{ title: 'Details', url: 'https://d.test' }],
    });
  });

  it('helpers: cut, chunkText, encodeChoiceId', () => {
    expect(cut('abcdef', 4)).to.equal('abc…');
    expect(cut('abc', 4)).to.equal('abc');
    expect(chunkText('aaa bbb ccc', 7)).to.deep.equal(['aaa bbb', 'ccc']);
    expect(encodeChoiceId('short', 2, 10)).to.equal('short');
    expect(encodeChoiceId('#choice:1', 2, 10)).to.equal('#choice:2');
    expect(decodeChoiceId('#choice:5', ['a'])).to.equal(undefined);
  });
});
