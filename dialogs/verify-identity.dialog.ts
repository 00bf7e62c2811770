/**
 * Proving who you are when the channel cannot (anonymous web visitor, Messenger): the mobile number, then a
 * 6-digit one-time code sent to it by SMS (5 minutes, 3 attempts, then a new code is needed). Whether the
 * number is a subscriber is never revealed: a code goes out only if it is, and the answer is the same.
 */
import { type DialogTurnResult, TextPrompt, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogDeps } from './dialog-deps.js';
import { entitiesOf } from './entities.js';
import { parseMsisdn } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { requesterOf, sessionOf } from './session.js';
import { textsFor } from './texts/index.js';

export interface VerifyIdentityOptions {
  /** Set on later rounds (after a wrong code or a resend). */
  msisdn?: string;
  /** Send a code before asking for it (first round and "new code"); not after a wrong code. */
  sendCode?: boolean;
}

export interface VerifyIdentityResult {
  verified: boolean;
}

const NUMBER_PROMPT = 'verifyIdentity.number';
const CODE_PROMPT = 'verifyIdentity.code';

function isNewCodeRequest(text: string, words: readonly string[]): boolean {
  const t = text.trim().toLowerCase();
  return words.some((w) => t === w || t.includes(w));
}

function codeIn(text: string): string | undefined {
  return text.replace(/[\s-]/g, '').match(/^\d{6}$/)?.[0];
}

export class VerifyIdentityDialog extends InterruptibleDialog<VerifyIdentityOptions> {
  static readonly id = 'verifyIdentity';

  constructor(deps: DialogDeps) {
    super(VerifyIdentityDialog.id, deps);
    this.addDialog(
      new TextPrompt(
        NUMBER_PROMPT,
        async (prompt) => this.msisdnIn(prompt.context, prompt.recognized.value) !== undefined,
      ),
    );
    this.addDialog(
      new TextPrompt(CODE_PROMPT, async (prompt) => {
        const text = prompt.recognized.value ?? '';
        const { texts } = sessionOf(prompt.context);
        return codeIn(text) !== undefined || isNewCodeRequest(text, texts.newCodeWords);
      }),
    );
    this.addSteps([this.numberStep.bind(this), this.codeStep.bind(this), this.checkStep.bind(this)]);
  }

  private msisdnIn(context: WaterfallStepContext['context'], text: string | undefined): string | undefined {
    const fromEntity = entitiesOf(sessionOf(context).recognition, 'msisdn')[0];
    return (fromEntity ? String(fromEntity.value) : undefined) ?? parseMsisdn(text ?? '');
  }

  private async numberStep(step: WaterfallStepContext<VerifyIdentityOptions>): Promise<DialogTurnResult> {
    if (step.options.msisdn) return step.next(step.options.msisdn);
    const { texts } = sessionOf(step.context);
    return step.prompt(NUMBER_PROMPT, { prompt: texts.askNumber, retryPrompt: texts.askNumberRetry });
  }

  private async codeStep(step: WaterfallStepContext<VerifyIdentityOptions>): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const msisdn = step.options.msisdn ?? this.msisdnIn(step.context, String(step.result ?? ''));
    if (!msisdn) return step.endDialog({ verified: false } satisfies VerifyIdentityResult);
    (step.values as { msisdn: string }).msisdn = msisdn;
    if (step.options.sendCode !== false) {
      const exists = await this.deps.charging.getSubscriber(msisdn);
      if (!exists.ok && exists.error.code === 'CHARGING.UNAVAILABLE') {
        await this.sayCoreError(step.context, exists.error);
        return step.endDialog({ verified: false } satisfies VerifyIdentityResult);
      }
      let outcome: 'sent' | 'rate_limited' = 'sent';
      if (exists.ok) outcome = await this.deps.verifier.sendCode(requesterOf(step.context), msisdn, texts.smsCode);
      await step.context.sendActivity(
        outcome === 'rate_limited'
          ? texts.codeRateLimited
          : step.options.msisdn
            ? texts.codeResent
            : texts.codeSentIfSubscriber,
      );
    }
    return step.prompt(CODE_PROMPT, { prompt: texts.askCode, retryPrompt: texts.askCodeRetry });
  }

  private async checkStep(step: WaterfallStepContext<VerifyIdentityOptions>): Promise<DialogTurnResult> {
    const session = sessionOf(step.context);
    const { texts } = session;
    const msisdn = (step.values as { msisdn: string }).msisdn;
    const text = String(step.result ?? '');
    const code = codeIn(text);
    if (!code) return step.replaceDialog(VerifyIdentityDialog.id, { msisdn, sendCode: true });
    const outcome = await this.deps.verifier.checkCode(requesterOf(step.context), msisdn, code);
    switch (outcome.status) {
      case 'verified': {
        const subscriber = await this.deps.charging.getSubscriber(msisdn);
        if (!subscriber.ok) {
          await this.sayCoreError(step.context, subscriber.error);
          return step.endDialog({ verified: false } satisfies VerifyIdentityResult);
        }
        const profile = session.profile;
        profile.msisdn = msisdn;
        profile.verifiedBy = 'otp';
        profile.name = subscriber.value.name;
        profile.locale = subscriber.value.language || profile.locale;
        session.texts = textsFor(profile.locale);
        await step.context.sendActivity(session.texts.verified(subscriber.value.name));
        return step.endDialog({ verified: true } satisfies VerifyIdentityResult);
      }
      case 'wrong':
        await step.context.sendActivity(texts.codeWrong(outcome.attemptsLeft));
        break;
      case 'expired':
      case 'no_code':
        await step.context.sendActivity(texts.codeExpired);
        break;
      case 'too_many_attempts':
        await step.context.sendActivity(texts.codeTooManyAttempts);
        break;
    }
    return step.replaceDialog(VerifyIdentityDialog.id, { msisdn, sendCode: false });
  }
}
