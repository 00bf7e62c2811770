import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';

/**
 * An opaque, stable key of a conversation. It goes into payment metadata (which must hold no personal data,
 * and a WhatsApp conversation id is a phone number), and keys the stored conversation references that
 * proactive messages use.
 */
export function conversationKeyOf(activity: Pick<Activity, 'channelId' | 'conversation'>): string {
  return createHash('sha256')
    .update(`${activity.channelId}\u0000${activity.conversation?.id ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}
