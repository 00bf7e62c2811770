import type { ChargingCore } from './core.js';
import { demoCatalog } from './demo-catalog.js';
import type { Bill, BillLine, Bucket, Plan, Subscriber } from './model.js';

export { demoCatalog };

const DAY = 86_400_000;

/** The demo subscribers (README lists them): other parts of the product and the docs rely on these MSISDNs. */
export const DEMO_SUBSCRIBERS: readonly {
  msisdn: string;
  name: string;
  plan: Plan;
  language: string;
  story: string;
}[] = [
  {
    msisdn: '+15550100001',
    name: 'Ana',
    plan: 'prepaid',
    language: 'en',
    story: 'prepaid; 100 Facebook and 10 YouTube sessions, 2 GB data, credit 5.00: swaps, top-ups, add-ons',
  },
  {
    msisdn: '+15550100002',
    name: 'Ben',
    plan: 'postpaid',
    language: 'en',
    story:
      'postpaid; open bill of 55.55 due in 3 days that differs from last month (explain / pay my bill); credit limit 150.00',
  },
  {
    msisdn: '+15550100003',
    name: 'Chloe',
    plan: 'prepaid',
    language: 'en',
    story: 'prepaid, running low: 2 YouTube sessions left, credit 1.50, 300 MB of data expiring in 2 days',
  },
  {
    msisdn: '+15550100004',
    name: 'Diego',
    plan: 'prepaid',
    language: 'es',
    story: 'prepaid, Spanish; 50 Facebook and 30 TikTok sessions, 1 GB data, credit 10.00',
  },
  {
    msisdn: '+15550100005',
    name: 'Eve',
    plan: 'postpaid',
    language: 'en',
    story:
      'postpaid, streaming-heavy: YouTube and TikTok nearly used up, video usage lines on her bills (offers flag her)',
  },
];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function bucket(
  id: string,
  name: string,
  unit: Bucket['unit'],
  remaining: number,
  initial: number,
  start: number,
  end: number,
  app?: string,
): Bucket {
  return {
    id,
    name,
    unit,
    ...(app ? { app } : {}),
    remainingValue: remaining,
    initialValue: initial,
    validFor: { startDateTime: iso(start), endDateTime: iso(end) },
  };
}

function bill(
  id: string,
  billNo: string,
  periodStart: number,
  due: number,
  lines: [string, BillLine['kind'], number][],
  paid: boolean,
): Bill {
  const total = lines.reduce((s, [, , a]) => s + a, 0);
  return {
    id,
    billNo,
    billDate: iso(periodStart + 30 * DAY),
    billingPeriod: { startDateTime: iso(periodStart), endDateTime: iso(periodStart + 30 * DAY) },
    paymentDueDate: iso(due),
    amountDue: { amount: total, currency: 'USD' },
    remainingAmount: { amount: paid ? 0 : total, currency: 'USD' },
    state: paid ? 'settled' : 'new',
    lines: lines.map(([description, kind, amount]) => ({ description, kind, amount: { amount, currency: 'USD' } })),
  };
}

/** The demo subscribers as of `now`: balances, buckets and bills relative to today. */
export function demoSubscribers(now: Date): Subscriber[] {
  const t = now.getTime();
  const base = (i: number, extra: Partial<Subscriber> & Pick<Subscriber, 'account' | 'buckets'>): Subscriber => {
    const d = DEMO_SUBSCRIBERS[i]!;
    return {
      msisdn: d.msisdn,
      name: d.name,
      plan: d.plan,
      language: d.language,
      createdAt: iso(t - 400 * DAY),
      bills: [],
      payments: [],
      creditLimitRequests: [],
      ...extra,
    };
  };
  const usd = (amount: number) => ({ amount, currency: 'USD' });
  return [
    base(0, {
      account: { balance: usd(500) },
      buckets: [
        bucket('demo-ana-fb', 'Facebook 100 sessions', 'session', 100, 100, t - 5 * DAY, t + 25 * DAY, 'facebook'),
        bucket('demo-ana-yt', 'YouTube 10 sessions', 'session', 10, 10, t - 5 * DAY, t + 25 * DAY, 'youtube'),
        bucket('demo-ana-data', 'Data 2 GB', 'MB', 1536, 2048, t - 10 * DAY, t + 20 * DAY),
        bucket('demo-ana-voice', 'Voice 100 min', 'minute', 72, 100, t - 10 * DAY, t + 20 * DAY),
        bucket('demo-ana-sms', 'SMS 100', 'SMS', 90, 100, t - 10 * DAY, t + 20 * DAY),
      ],
    }),
    base(1, {
      account: { balance: usd(0), creditLimit: usd(15000) },
      buckets: [
        bucket('demo-ben-data', 'Data 10 GB', 'MB', 6144, 10240, t - 12 * DAY, t + 18 * DAY),
        bucket('demo-ben-voice', 'Voice 500 min', 'minute', 310, 500, t - 12 * DAY, t + 18 * DAY),
        bucket('demo-ben-sms', 'SMS 500', 'SMS', 480, 500, t - 12 * DAY, t + 18 * DAY),
        bucket('demo-ben-yt', 'YouTube 100 sessions', 'session', 64, 100, t - 12 * DAY, t + 18 * DAY, 'youtube'),
      ],
      bills: [
        bill(
          'demo-ben-bill-prev',
          'B-DEMO-0002-1',
          t - 72 * DAY,
          t - 28 * DAY,
          [
            ['Postpaid Plus monthly fee', 'plan', 3000],
            ['Sales tax', 'tax', 300],
          ],
          true,
        ),
        bill(
          'demo-ben-bill-open',
          'B-DEMO-0002-2',
          t - 42 * DAY,
          t + 3 * DAY,
          [
            ['Postpaid Plus monthly fee', 'plan', 3000],
            ['Streaming Pass add-on', 'addon', 800],
            ['International calls (Mexico, 25 min)', 'usage', 1250],
            ['Sales tax', 'tax', 505],
          ],
          false,
        ),
      ],
    }),
    base(2, {
      account: { balance: usd(150) },
      buckets: [
        bucket('demo-chloe-yt', 'YouTube 30 sessions', 'session', 2, 30, t - 20 * DAY, t + 10 * DAY, 'youtube'),
        bucket('demo-chloe-fb', 'Facebook 50 sessions', 'session', 5, 50, t - 20 * DAY, t + 10 * DAY, 'facebook'),
        bucket('demo-chloe-data', 'Data 1 GB', 'MB', 300, 1024, t - 5 * DAY, t + 2 * DAY),
        bucket('demo-chloe-voice', 'Voice 100 min', 'minute', 12, 100, t - 20 * DAY, t + 10 * DAY),
      ],
    }),
    base(3, {
      account: { balance: usd(1000) },
      buckets: [
        bucket('demo-diego-fb', 'Facebook 50 sessions', 'session', 50, 50, t - 3 * DAY, t + 27 * DAY, 'facebook'),
        bucket('demo-diego-tt', 'TikTok 30 sessions', 'session', 30, 30, t - 3 * DAY, t + 27 * DAY, 'tiktok'),
        bucket('demo-diego-data', 'Data 1 GB', 'MB', 1024, 1024, t - 3 * DAY, t + 27 * DAY),
        bucket('demo-diego-voice', 'Voice 100 min', 'minute', 100, 100, t - 3 * DAY, t + 27 * DAY),
      ],
    }),
    base(4, {
      account: { balance: usd(0), creditLimit: usd(12000) },
      buckets: [
        bucket('demo-eve-yt', 'YouTube 100 sessions', 'session', 8, 100, t - 15 * DAY, t + 15 * DAY, 'youtube'),
        bucket('demo-eve-tt', 'TikTok 50 sessions', 'session', 3, 50, t - 15 * DAY, t + 15 * DAY, 'tiktok'),
        bucket('demo-eve-data', 'Data 10 GB', 'MB', 900, 10240, t - 15 * DAY, t + 15 * DAY),
        bucket('demo-eve-voice', 'Voice 500 min', 'minute', 470, 500, t - 15 * DAY, t + 15 * DAY),
      ],
      bills: [
        bill(
          'demo-eve-bill-prev',
          'B-DEMO-0005-1',
          t - 45 * DAY,
          t - 1 * DAY,
          [
            ['Postpaid Plus monthly fee', 'plan', 3000],
            ['Extra YouTube sessions (video streaming)', 'usage', 1200],
            ['Extra data 3 GB (video streaming)', 'usage', 1500],
            ['Sales tax', 'tax', 570],
          ],
          true,
        ),
        bill(
          'demo-eve-bill-open',
          'B-DEMO-0005-2',
          t - 15 * DAY,
          t + 20 * DAY,
          [
            ['Postpaid Plus monthly fee', 'plan', 3000],
            ['Extra TikTok sessions (video streaming)', 'usage', 900],
            ['Sales tax', 'tax', 390],
          ],
          false,
        ),
      ],
    }),
  ];
}

/**
 * Seeds the demo subscribers when the store is empty; does nothing otherwise, so calling it on every start is
 * safe. (The catalog is the core's `catalog` option; `demoCatalog` is its default.)
 */
export async function seedDemo(core: ChargingCore): Promise<void> {
  if ((await core.subscriberCount()) > 0) return;
  for (const sub of demoSubscribers(core.clock.now())) {
    const r = await core.importSubscriber(sub, { idempotencyKey: `seed:${sub.msisdn}`, actor: 'system' });
    if (!r.ok && r.error.code !== 'SUBSCRIBER.ALREADY_EXISTS') {
      throw new Error(`demo seed failed: ${r.error.code}`);
    }
  }
}
