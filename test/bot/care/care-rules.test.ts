/** The pure parts of proactive care: quiet hours across time zones and DST, the alert commands, the settings. */
import { expect } from 'chai';
import { loadConfig, parseQuietHours } from '../../../bot/config.js';
import { alertCommandOf } from '../../../bot/care/alert-commands.js';
import { isQuiet, localDay, quietEndsAt } from '../../../bot/care/quiet-hours.js';

describe('proactive care rules', () => {
  const q = { startMinute: 21 * 60, endMinute: 8 * 60 };

  it('quiet hours wrap midnight in the subscriber time zone', () => {
    expect(isQuiet(new Date('2026-03-10T12:00:00Z'), 'UTC', q)).to.equal(false);
    expect(isQuiet(new Date('2026-03-10T12:00:00Z'), 'Asia/Tokyo', q)).to.equal(true); // 21:00
    expect(isQuiet(new Date('2026-03-10T07:59:00Z'), 'UTC', q)).to.equal(true);
    expect(isQuiet(new Date('2026-03-10T08:00:00Z'), 'UTC', q)).to.equal(false);
    expect(isQuiet(new Date('2026-03-10T12:00:00Z'), 'UTC', undefined)).to.equal(false);
    expect(quietEndsAt(new Date('2026-03-10T12:00:00Z'), 'Asia/Tokyo', q).toISOString()).to.equal(
      '2026-03-10T23:00:00.000Z',
    );
    expect(localDay(new Date('2026-03-10T23:30:00Z'), 'Asia/Tokyo')).to.equal('2026-03-11');
  });

  it('the end of quiet hours follows daylight saving time', () => {
    // New York moves to EDT on 2026-03-08: 08:00 local is 13:00Z before and 12:00Z after.
    expect(quietEndsAt(new Date('2026-03-07T03:00:00Z'), 'America/New_York', q).toISOString()).to.equal(
      '2026-03-07T13:00:00.000Z',
    );
    expect(quietEndsAt(new Date('2026-03-08T03:00:00Z'), 'America/New_York', q).toISOString()).to.equal(
      '2026-03-08T12:00:00.000Z',
    );
  });

  it('recognises "stop alerts" and "start alerts" as whole messages, in English and Spanish', () => {
    expect(alertCommandOf('Stop alerts!')).to.deep.equal({ optIn: false, locale: 'en' });
    expect(alertCommandOf('please turn on alerts')).to.deep.equal({ optIn: true, locale: 'en' });
    expect(alertCommandOf('No más alertas')).to.deep.equal({ optIn: false, locale: 'es' });
    expect(alertCommandOf('activar alertas')).to.deep.equal({ optIn: true, locale: 'es' });
    expect(alertCommandOf('why did you stop alerts on my bill')).to.equal(undefined);
    expect(alertCommandOf('stop')).to.equal(undefined);
  });

  it('reads ALERTS_* settings with defaults and refuses bad values', () => {
    const c = loadConfig({});
    expect(c.alerts.maxPerDay).to.equal(3);
    expect(c.alerts.quietHours).to.deep.equal(q);
    expect(c.alerts.defaultTimeZone).to.equal('UTC');
    expect(c.alerts.whatsappTemplates['bill.dueSoon']).to.equal('alert_bill_due_soon');
    const custom = loadConfig({
      ALERTS_MAX_PER_DAY: '5',
      ALERTS_QUIET_HOURS: '22:30-07:15',
      ALERTS_TIME_ZONE: 'Europe/Madrid',
      WHATSAPP_TEMPLATE_ALERT_BILL_DUE_SOON: 'bill_reminder_v2',
    });
    expect(custom.alerts.maxPerDay).to.equal(5);
    expect(custom.alerts.quietHours).to.deep.equal({ startMinute: 22 * 60 + 30, endMinute: 7 * 60 + 15 });
    expect(custom.alerts.whatsappTemplates['bill.dueSoon']).to.equal('bill_reminder_v2');
    expect(parseQuietHours('off')).to.equal(undefined);
    expect(() => loadConfig({ ALERTS_QUIET_HOURS: '25-8' })).to.throw(/ALERTS_QUIET_HOURS/);
    expect(() => loadConfig({ ALERTS_TIME_ZONE: 'Mars/Olympus' })).to.throw(/ALERTS_TIME_ZONE/);
    expect(() => loadConfig({ ALERTS_MAX_PER_DAY: '-1' })).to.throw(/ALERTS_MAX_PER_DAY/);
  });
});
