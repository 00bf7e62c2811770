/**
 * HTML of the sandbox hosted checkout: the card form and the result pages. Self-contained (inline CSS and one
 * inline script allowed by a per-response CSP nonce, no external assets), readable on a phone (viewport meta,
 * one column, large touch targets). Nothing the customer typed is ever written back into a page.
 */
import type { CardField } from './test-cards.js';

export interface PageContext {
  operatorName: string;
  /** Per-response CSP nonce for the inline style and script. */
  nonce: string;
}

export interface PaymentSummary {
  /** Formatted, e.g. `$10.00`. */
  amount: string;
  /** What it pays for, e.g. `Credit top-up` or `Bill 2025-01`. */
  description: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Minor units to text (`1000` USD -> `$10.00`); amounts are always in hundredths (CONTRACTS.md 3.7). */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: 2 }).format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency}`;
  }
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1b1f24}
main{max-width:28rem;margin:0 auto;padding:1.25rem 1rem 2rem}
header{font-weight:600;font-size:1.05rem;margin-bottom:1rem;color:#0b5cad}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .75rem}
.amount{font-size:2rem;font-weight:700;margin:.25rem 0}
.muted{color:#5a6470;font-size:.95rem}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input{width:100%;font-size:1.1rem;padding:.75rem;border:1px solid #b8c0ca;border-radius:8px;background:#fff}
input:focus{outline:2px solid #0b5cad;border-color:#0b5cad}
input[aria-invalid=true]{border-color:#b3261e}
.row{display:flex;gap:.75rem}.row>div{flex:1}
button{width:100%;margin-top:1.5rem;font-size:1.1rem;font-weight:600;padding:.9rem;border:0;border-radius:8px;background:#0b5cad;color:#fff;cursor:pointer}
button:disabled{opacity:.6;cursor:progress}
.error{background:#fdecea;color:#8c1d18;border-radius:8px;padding:.75rem;margin-top:1rem}
.ok{color:#1b6e2d}.bad{color:#8c1d18}
.note{margin-top:1.25rem;font-size:.85rem;color:#5a6470}
@media (max-width:360px){.row{flex-direction:column;gap:0}}
`;

function layout(ctx: PageContext, title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(ctx.operatorName)}</title>
<style nonce="${ctx.nonce}">${CSS}</style>
</head>
<body>
<main>
<header>${escapeHtml(ctx.operatorName)}</header>
<div class="card">
${body}
</div>
</main>
${script ? `<script nonce="${ctx.nonce}">${script}</script>` : ''}
</body>
</html>`;
}

// Disables the one submit button after the first submit: a double tap sends one charge request.
// (The processor is single-flight per payment anyway; this only spares the customer a confusing wait.)
const SUBMIT_ONCE = `
document.getElementById('pay').addEventListener('submit', function (e) {
  var b = document.getElementById('pay-button');
  if (b.disabled) { e.preventDefault(); return; }
  b.disabled = true; b.textContent = 'Processing…';
});`;

export function checkoutPage(
  ctx: PageContext,
  p: PaymentSummary & { action: string; error?: { field: CardField; message: string } },
): string {
  const invalid = (f: CardField) => (p.error?.field === f ? ' aria-invalid="true" aria-describedby="form-error"' : '');
  const autofocus = (f: CardField) => (p.error?.field === f ? ' autofocus' : '');
  const body = `
<h1>Pay ${escapeHtml(p.description.toLowerCase().startsWith('bill') ? 'your bill' : 'securely')}</h1>
<p class="muted">${escapeHtml(p.description)}</p>
<p class="amount" data-testid="amount">${escapeHtml(p.amount)}</p>
${p.error ? `<p class="error" id="form-error" role="alert">${escapeHtml(p.error.message)} Nothing was charged.</p>` : ''}
<form id="pay" method="post" action="${escapeHtml(p.action)}">
<label for="cardNumber">Card number</label>
<input id="cardNumber" name="cardNumber" type="text" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" maxlength="23" required${invalid('cardNumber')}${autofocus('cardNumber')}>
<div class="row">
<div><label for="expiry">Expiry (MM/YY)</label>
<input id="expiry" name="expiry" type="text" inputmode="numeric" autocomplete="cc-exp" placeholder="MM/YY" maxlength="7" required${invalid('expiry')}${autofocus('expiry')}></div>
<div><label for="cvc">CVC</label>
<input id="cvc" name="cvc" type="text" inputmode="numeric" autocomplete="cc-csc" placeholder="123" maxlength="4" required${invalid('cvc')}${autofocus('cvc')}></div>
</div>
<button id="pay-button" type="submit">Pay ${escapeHtml(p.amount)}</button>
</form>
<p class="note">Test checkout: card 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined; any future expiry and any 3-digit CVC. Card details go only to this page, never to the chat.</p>`;
  return layout(ctx, `Pay ${p.amount}`, body, SUBMIT_ONCE);
}

export function successPage(ctx: PageContext, p: PaymentSummary & { card?: string }): string {
  return layout(
    ctx,
    'Payment received',
    `
<h1 class="ok" data-testid="result">Payment received</h1>
<p class="amount">${escapeHtml(p.amount)}</p>
<p>${escapeHtml(p.description)}${p.card ? ` · ${escapeHtml(p.card)}` : ''}</p>
<p class="muted">Thank you. You'll get a confirmation in the chat. You can close this page.</p>`,
  );
}

export function declinedPage(ctx: PageContext, p: PaymentSummary & { reason: string }): string {
  return layout(
    ctx,
    'Payment declined',
    `
<h1 class="bad" data-testid="result">Payment declined</h1>
<p>${escapeHtml(p.reason)} Nothing was charged.</p>
<p class="muted">${escapeHtml(p.description)} · ${escapeHtml(p.amount)}</p>
<p class="muted">We've sent you a new payment link in the chat, so you can try again with another card.</p>`,
  );
}

export function expiredPage(ctx: PageContext, p?: PaymentSummary): string {
  return layout(
    ctx,
    'Link expired',
    `
<h1 class="bad" data-testid="result">This payment link has expired</h1>
${p ? `<p class="muted">${escapeHtml(p.description)} · ${escapeHtml(p.amount)}</p>` : ''}
<p>Payment links are valid for 30 minutes. Nothing was charged. Ask in the chat for a new link.</p>`,
  );
}

export function notFoundPage(ctx: PageContext): string {
  return layout(
    ctx,
    'Link not found',
    `
<h1 class="bad" data-testid="result">Payment link not found</h1>
<p>Check that you opened the whole link from the chat, or ask in the chat for a new one.</p>`,
  );
}

export function unavailablePage(ctx: PageContext): string {
  return layout(
    ctx,
    'Try again shortly',
    `
<h1 class="bad" data-testid="result">We couldn't complete this right now</h1>
<p>Nothing was charged. Please try again in a few minutes, or ask in the chat for help.</p>`,
  );
}
