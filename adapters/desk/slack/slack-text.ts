/**
 * Slack's text quirks. Outbound, `&`, `<` and `>` must be escaped or Slack reads them as markup (a customer
 * writing `<!channel>` would ping the whole channel). Inbound, agent messages carry Slack markup: links as
 * `<url|label>`, mentions as `<@U123>`, and the same three escapes, which the customer must not see.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackToPlainText(text: string): string {
  return text
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<mailto:[^|>]+\|([^>]+)>/g, '$1')
    .replace(/<[@#!][^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** Cuts to Slack's per-field limits with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
