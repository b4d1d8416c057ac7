import { describe, expect, it } from 'vitest';
import { scrape, seriesValue } from '../utils/metrics.js';
import { startTestApp } from '../utils/test-app.js';

describe('/metrics', () => {
  it('has no gateway_redis_up without REDIS_URL: there is no Redis to be up or down', async () => {
    const t = await startTestApp();
    const text = await scrape(t);
    expect(text).not.toContain('gateway_redis_up');
    // The gateway's own series are there, at their start values.
    expect(seriesValue(text, 'gateway_active_subscriptions')).toBe(0);
    expect(seriesValue(text, 'gateway_active_pollers')).toBe(0);
  });
});
