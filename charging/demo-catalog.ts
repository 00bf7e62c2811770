import type { Catalog } from './model.js';

/**
 * The demo product catalog: data, voice, SMS, monetary credit, per-app session bundles with exchange rates,
 * a zero-rated app (WhatsApp) and a streaming add-on. Currency USD, prices in cents.
 */
export const demoCatalog: Catalog = {
  currency: 'USD',
  apps: [
    { id: 'facebook', name: 'Facebook', aliases: ['fb', 'face book', 'meta'] },
    { id: 'youtube', name: 'YouTube', aliases: ['yt', 'you tube'] },
    { id: 'whatsapp', name: 'WhatsApp', aliases: ['wa', 'whats app', 'zap'], zeroRated: true },
    { id: 'instagram', name: 'Instagram', aliases: ['ig', 'insta'] },
    { id: 'tiktok', name: 'TikTok', aliases: ['tik tok', 'tt'] },
  ],
  plans: [
    {
      id: 'plan-prepaid-smart',
      plan: 'prepaid',
      name: 'Prepaid Smart',
      monthlyFee: { amount: 0, currency: 'USD' },
      initialCredit: { amount: 500, currency: 'USD' },
      bundles: [
        { name: 'Data 2 GB', unit: 'MB', quantity: 2048, validityDays: 30 },
        { name: 'Voice 100 min', unit: 'minute', quantity: 100, validityDays: 30 },
        { name: 'SMS 100', unit: 'SMS', quantity: 100, validityDays: 30 },
        { name: 'Facebook 50 sessions', unit: 'session', app: 'facebook', quantity: 50, validityDays: 30 },
      ],
    },
    {
      id: 'plan-postpaid-plus',
      plan: 'postpaid',
      name: 'Postpaid Plus',
      monthlyFee: { amount: 3000, currency: 'USD' },
      creditLimit: { amount: 10000, currency: 'USD' },
      bundles: [
        { name: 'Data 10 GB', unit: 'MB', quantity: 10240, validityDays: 30 },
        { name: 'Voice 500 min', unit: 'minute', quantity: 500, validityDays: 30 },
        { name: 'SMS 500', unit: 'SMS', quantity: 500, validityDays: 30 },
        { name: 'YouTube 100 sessions', unit: 'session', app: 'youtube', quantity: 100, validityDays: 30 },
      ],
    },
  ],
  addOns: [
    {
      id: 'addon-data-1gb',
      name: 'Data 1 GB',
      description: '1 GB of data for 7 days',
      price: { amount: 500, currency: 'USD' },
      bundle: { name: 'Data 1 GB', unit: 'MB', quantity: 1024, validityDays: 7 },
      tags: ['data'],
    },
    {
      id: 'addon-streaming',
      name: 'Streaming Pass',
      description: '60 YouTube sessions for 30 days, for people who watch a lot of video',
      price: { amount: 800, currency: 'USD' },
      bundle: {
        name: 'Streaming Pass: YouTube 60 sessions',
        unit: 'session',
        app: 'youtube',
        quantity: 60,
        validityDays: 30,
      },
      tags: ['streaming', 'video'],
    },
    {
      id: 'addon-facebook-50',
      name: 'Facebook 50 sessions',
      description: '50 Facebook sessions for 30 days',
      price: { amount: 300, currency: 'USD' },
      bundle: { name: 'Facebook 50 sessions', unit: 'session', app: 'facebook', quantity: 50, validityDays: 30 },
      tags: ['social'],
    },
    {
      id: 'addon-tiktok-50',
      name: 'TikTok 50 sessions',
      description: '50 TikTok sessions for 30 days',
      price: { amount: 400, currency: 'USD' },
      bundle: { name: 'TikTok 50 sessions', unit: 'session', app: 'tiktok', quantity: 50, validityDays: 30 },
      tags: ['social', 'video', 'streaming'],
    },
    {
      id: 'addon-voice-100',
      name: 'Voice 100 min',
      description: '100 minutes of calls for 30 days',
      price: { amount: 400, currency: 'USD' },
      bundle: { name: 'Voice 100 min', unit: 'minute', quantity: 100, validityDays: 30 },
      tags: ['voice'],
    },
    {
      id: 'addon-sms-100',
      name: 'SMS 100',
      description: '100 text messages for 30 days',
      price: { amount: 200, currency: 'USD' },
      bundle: { name: 'SMS 100', unit: 'SMS', quantity: 100, validityDays: 30 },
      tags: ['sms'],
    },
  ],
  // numerator/denominator = sessions of `to` credited per session of `from` debited.
  exchangeRates: [
    { from: 'facebook', to: 'youtube', numerator: 1, denominator: 2 },
    { from: 'youtube', to: 'facebook', numerator: 2, denominator: 1 },
    { from: 'facebook', to: 'instagram', numerator: 1, denominator: 1 },
    { from: 'instagram', to: 'facebook', numerator: 1, denominator: 1 },
    { from: 'facebook', to: 'tiktok', numerator: 1, denominator: 2 },
    { from: 'tiktok', to: 'facebook', numerator: 2, denominator: 1 },
    { from: 'instagram', to: 'youtube', numerator: 1, denominator: 2 },
    { from: 'youtube', to: 'instagram', numerator: 2, denominator: 1 },
    { from: 'youtube', to: 'tiktok', numerator: 1, denominator: 1 },
    { from: 'tiktok', to: 'youtube', numerator: 1, denominator: 1 },
    { from: 'instagram', to: 'tiktok', numerator: 1, denominator: 2 },
    { from: 'tiktok', to: 'instagram', numerator: 2, denominator: 1 },
  ],
};
