/** The human handoff: what the composition root and the desk adapters use. */
export type { Desk, HandoffCard } from './desk.port.js';
export * from './handoff.model.js';
export { HandoffMiddleware } from './handoff.middleware.js';
export {
  type ChannelAdapter,
  type ChannelResourceResponse,
  conversationKeyOf,
  type GoodwillGrant,
  HandoffService,
  type HandoffServiceOptions,
} from './handoff.service.js';
export { handoffReasonFor, isStronglyNegative, shouldOfferHuman } from './handoff-triggers.js';
export { maskMsisdn } from './mask-msisdn.js';
export { handoffRequester, requestHuman } from './request-human.js';
