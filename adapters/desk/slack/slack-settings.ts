/**
 * Whether the Slack agent desk is configured. Kept apart from register-slack-desk.ts so the composition root can
 * ask without loading Bolt (start-up time) when the desk is off.
 */
export interface SlackSettings {
  botToken?: string;
  signingSecret?: string;
  agentChannel?: string;
}

export const SLACK_DISABLED_MESSAGE =
  'slack agent desk disabled: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_AGENT_CHANNEL';

export function slackDeskConfigured<T extends SlackSettings>(slack: T): slack is T & Required<SlackSettings> {
  return Boolean(slack.botToken && slack.signingSecret && slack.agentChannel);
}
