import type { WebhookOptions } from './webhook.js';

/**
 * The webhook of a simulator entry point (`npm run simulator`): SIMULATOR_WEBHOOK_URL and
 * SIMULATOR_WEBHOOK_SECRET, with SIMULATOR_WEBHOOK_ENCODING (`hex` or `base64`) optional.
 * Undefined when neither is set; the message that says what is wrong otherwise. The secret
 * follows Polytomic's rule (6 to 32 characters), so a setup that works here works there.
 */
export function simulatorWebhookOptions(
  env: NodeJS.ProcessEnv,
): WebhookOptions | undefined | string {
  const {
    SIMULATOR_WEBHOOK_URL: url = '',
    SIMULATOR_WEBHOOK_SECRET: secret = '',
    SIMULATOR_WEBHOOK_ENCODING: encoding = '',
  } = env;
  if (url === '' && secret === '') return undefined;
  if (url === '') return 'SIMULATOR_WEBHOOK_URL: required with SIMULATOR_WEBHOOK_SECRET';
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    return `SIMULATOR_WEBHOOK_URL: must be an http(s) URL, got ${url}`;
  }
  if (secret.length < 6 || secret.length > 32) {
    return 'SIMULATOR_WEBHOOK_SECRET: required with SIMULATOR_WEBHOOK_URL, 6 to 32 characters';
  }
  if (encoding !== '' && encoding !== 'hex' && encoding !== 'base64') {
    return `SIMULATOR_WEBHOOK_ENCODING: must be hex or base64, got ${encoding}`;
  }
  return encoding === '' ? { url, secret } : { url, secret, encoding };
}
