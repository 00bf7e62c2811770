/** "undo" right after a swap: reverses it within the core's window, once. */
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogDeps } from './dialog-deps.js';
import { appName } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { sessionOf } from './session.js';

export class UndoSwapDialog extends InterruptibleDialog {
  static readonly id = 'undoSwap';

  constructor(deps: DialogDeps) {
    super(UndoSwapDialog.id, deps);
    this.addSteps([this.undoStep.bind(this)]);
  }

  private async undoStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const session = sessionOf(step.context);
    const { texts } = session;
    const last = session.data.lastSwap;
    if (!last) {
      await step.context.sendActivity(texts.undoNothing);
      return step.endDialog();
    }
    const undone = await this.deps.charging.undoSwap(last.id, {
      idempotencyKey: `swap.undo:${last.id}`,
      actor: 'subscriber',
    });
    if (!undone.ok) {
      const code = undone.error.code;
      if (code === 'SWAP.UNDO_WINDOW_CLOSED') await step.context.sendActivity(texts.undoWindowClosed);
      else if (code === 'SWAP.CREDIT_USED') await step.context.sendActivity(texts.undoCreditUsed);
      else if (code === 'SWAP.ALREADY_UNDONE' || code === 'SWAP.NOT_FOUND')
        await step.context.sendActivity(texts.undoNothing);
      else await this.unwrap(step.context, undone);
      if (code !== 'CHARGING.UNAVAILABLE') session.data.lastSwap = undefined;
      return step.endDialog();
    }
    const catalog = await this.loadCatalog(step.context);
    await step.context.sendActivity(texts.undoDone(appName(last.from, catalog), appName(last.to, catalog)));
    session.data.lastSwap = undefined;
    return step.endDialog(undone.value);
  }
}
