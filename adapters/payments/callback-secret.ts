import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE_NAME = 'payment-callback.secret';

/**
 * The HMAC secret of payment callbacks: `PAYMENT_CALLBACK_SECRET` when set, otherwise a random one made once
 * and kept in `DATA_DIR` (mode 600), so links and in-flight callbacks survive a restart.
 */
export function resolvePaymentCallbackSecret(config: { paymentCallbackSecret: string; dataDir: string }): string {
  if (config.paymentCallbackSecret) return config.paymentCallbackSecret;
  const path = join(config.dataDir, FILE_NAME);
  mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx': two processes racing on a fresh DATA_DIR agree on whichever secret was written first.
    writeFileSync(path, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${path} is damaged: delete it to make a new payment callback secret`);
  return secret;
}
