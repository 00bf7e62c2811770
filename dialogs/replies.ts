/**
 * Channel-neutral outbound activities (docs/ARCHITECTURE.md "Channel conventions"): text, with
 * `suggestedActions` of type `imBack` for choices and `openUrl` for links. Each channel renders them natively.
 */
import { ActionTypes, type Activity, ActivityTypes, type CardAction } from 'botbuilder';
import { type Choice, ListStyle, type PromptOptions } from 'botbuilder-dialogs';
import type { MenuEntry, Texts } from './texts/index.js';

export function textWithChoices(text: string, choices: readonly { title: string; value: string }[]): Partial<Activity> {
  const actions: CardAction[] = choices.map((c) => ({ type: ActionTypes.ImBack, title: c.title, value: c.value }));
  return { type: ActivityTypes.Message, text, suggestedActions: { actions, to: [] } };
}

export function menu(text: string, entries: readonly MenuEntry[]): Partial<Activity> {
  return textWithChoices(text, entries);
}

/** A link to pay: the URL in the text (for channels without buttons) and as an `openUrl` action. */
export function paymentLink(text: string, title: string, url: string): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    text,
    suggestedActions: { actions: [{ type: ActionTypes.OpenUrl, title, value: url }], to: [] },
  };
}

/** Choices for a ChoicePrompt, with the tap sending back the value and typed synonyms recognised. */
export function choicesOf(items: readonly { title: string; value: string; synonyms?: string[] }[]): Choice[] {
  return items.map((i) => ({
    value: i.value,
    action: { type: ActionTypes.ImBack, title: i.title, value: i.value },
    synonyms: i.synonyms ?? [i.title],
  }));
}

export const YES = 'yes';
export const NO = 'no';

/** Prompt options for a yes/no question, in the conversation's language, as suggested actions. */
export function yesNo(prompt: string, texts: Texts): PromptOptions {
  const choices = choicesOf([
    { title: texts.yes, value: YES, synonyms: [texts.yes, ...texts.yesSynonyms] },
    { title: texts.no, value: NO, synonyms: [texts.no, ...texts.noSynonyms] },
  ]);
  return {
    prompt: textWithChoices(
      prompt,
      choices.map((c) => ({ title: c.action?.title ?? c.value, value: c.value })),
    ),
    retryPrompt: textWithChoices(
      `${prompt} (${texts.yes} / ${texts.no})`,
      choices.map((c) => ({ title: c.action?.title ?? c.value, value: c.value })),
    ),
    choices,
    style: ListStyle.none,
  };
}

/** Prompt options for picking among choices, rendered as suggested actions. */
export function pick(prompt: string, retry: string, choices: Choice[]): PromptOptions {
  const shown = choices.map((c) => ({ title: c.action?.title ?? c.value, value: c.value }));
  return {
    prompt: textWithChoices(prompt, shown),
    retryPrompt: textWithChoices(retry, shown),
    choices,
    style: ListStyle.none,
  };
}
