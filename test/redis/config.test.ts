import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const MESSAGE =
  'CREDENTIAL_HASH_SECRET: must be set with REDIS_URL, to the same value on every replica';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('Redis configuration', () => {
  it('refuses REDIS_URL without CREDENTIAL_HASH_SECRET', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(ConfigError);
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([MESSAGE]);
    // Empty counts as unset.
    expect(
      problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379', CREDENTIAL_HASH_SECRET: '  ' }),
    ).toEqual([MESSAGE]);
  });

  it('accepts REDIS_URL with a secret, and reads namespace and lease', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      CREDENTIAL_HASH_SECRET: 'a-secret-of-16-chars',
      REDIS_NAMESPACE: 'gw.eu-1',
      REDIS_LEASE_MS: '900',
    });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.credentialHashSecret).toBe('a-secret-of-16-chars');
    expect(config.redis).toEqual({ namespace: 'gw.eu-1', leaseMs: 900 });
    expect(loadConfig({}).redis).toEqual({ namespace: 'polytomic-gateway', leaseMs: 5000 });
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });
});
