/** After the second misunderstanding in a row: "shall I ask a person?" Yes starts the handoff. */
import { ChoicePrompt, type DialogTurnResult, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogDeps } from './dialog-deps.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { menu, YES, yesNo } from './replies.js';
import { sessionOf } from './session.js';

const CONFIRM_PROMPT = 'humanOffer.confirm';

export class HumanOfferDialog extends InterruptibleDialog {
  static readonly id = 'humanOffer';

  constructor(deps: DialogDeps) {
    super(HumanOfferDialog.id, deps);
    this.addDialog(new ChoicePrompt(CONFIRM_PROMPT, undefined, 'en-us'));
    this.addSteps([this.askStep.bind(this), this.answerStep.bind(this)]);
  }

  private async askStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    return step.prompt(CONFIRM_PROMPT, { ...yesNo(texts.offerHuman, texts), retryPrompt: undefined });
  }

  private async answerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const session = sessionOf(step.context);
    session.data.misunderstandings = 0;
    if ((step.result as FoundChoice | undefined)?.value === YES) {
      await this.deps.handoff.initiate(step.context, { reason: 'misunderstood' });
    } else {
      const { texts } = session;
      await step.context.sendActivity(
        menu(
          texts.humanDeclined,
          session.channelIdentity && !session.channelIdentity.isSubscriber ? texts.menuNoAccount : texts.menu,
        ),
      );
    }
    return step.endDialog();
  }
}
