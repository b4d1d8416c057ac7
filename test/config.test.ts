import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the runtime contract defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.polytomic.baseUrl).toBe('https://app.polytomic.com');
    expect(config.polytomic.apiVersion).toBe('2025-09-18');
    expect(config.polytomic.serviceAuthorization).toBeUndefined();
    expect(config.poll).toEqual({
      intervalMs: 2000,
      idleIntervalMs: 30000,
      safetyIntervalMs: 300000,
      maxPollers: 10000,
    });
    expect(config.events).toEqual({ mode: 'poll', intervalMs: 2000, webhookSecret: undefined });
    expect([config.drainDelayMs, config.shutdownTimeoutMs]).toEqual([0, 10000]);
    expect(config.cache.ttlMs).toBe(1000);
    expect(config.polytomic.timeoutMs).toBe(10000);
    expect(config.maxIdsPerRequest).toBe(100);
    expect(config.redisUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.graphiql).toBe(false);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', CACHE_TTL_MS: ' ' }).port).toBe(4000);
  });

  it('builds Bearer from an API key and Basic org:key for on-premises', () => {
    expect(loadConfig({ POLYTOMIC_API_KEY: 'k1' }).polytomic.serviceAuthorization).toBe(
      'Bearer k1',
    );
    const basic = loadConfig({
      POLYTOMIC_ORGANIZATION_ID: 'org-1',
      POLYTOMIC_DEPLOYMENT_KEY: 'dep-key',
    }).polytomic.serviceAuthorization;
    expect(basic).toBe(`Basic ${Buffer.from('org-1:dep-key').toString('base64')}`);
  });

  it('strips a trailing slash from the upstream origin and turns GraphiQL on in development', () => {
    const config = loadConfig({
      POLYTOMIC_BASE_URL: 'http://polytomic.internal:8080/',
      NODE_ENV: 'development',
    });
    expect(config.polytomic.baseUrl).toBe('http://polytomic.internal:8080');
    expect(config.graphiql).toBe(true);
  });

  it('names every bad variable at once', () => {
    expect(
      problems({
        PORT: 'eighty',
        POLYTOMIC_BASE_URL: 'ftp://x',
        POLYTOMIC_API_VERSION: 'latest',
        POLL_INTERVAL_MS: '-5',
        CACHE_TTL_MS: '1.5',
        UPSTREAM_TIMEOUT_MS: '0',
        MAX_IDS_PER_REQUEST: 'many',
        LOG_LEVEL: 'loud',
        REDIS_URL: 'http://redis',
      }),
    ).toEqual([
      // In the order of src/config.ts's settings.
      'PORT: must be a whole number',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'MAX_IDS_PER_REQUEST: must be a whole number',
      'REDIS_URL: must be a redis:// URL',
      'POLYTOMIC_BASE_URL: must be an http(s) URL',
      'POLYTOMIC_API_VERSION: must be a date like 2025-09-18',
      'UPSTREAM_TIMEOUT_MS: must be at least 1',
      'CACHE_TTL_MS: must be a whole number',
      'POLL_INTERVAL_MS: must be at least 100',
    ]);
  });

  it('names a value no URL parser accepts, a host that is no host, and a timer too long for Node', () => {
    expect(
      problems({
        POLYTOMIC_BASE_URL: 'notaurl',
        HOST: 'not_a_host!!',
        UPSTREAM_TIMEOUT_MS: '99999999999',
        POLL_INTERVAL_MS: '3000000000',
      }),
    ).toEqual([
      'HOST: must be an IP address or a host name',
      'POLYTOMIC_BASE_URL: must be an http(s) URL',
      'UPSTREAM_TIMEOUT_MS: must be at most 2147483647',
      'POLL_INTERVAL_MS: must be at most 2147483647',
    ]);
    // The longest timer Node keeps, and the usual host forms, are accepted.
    const config = loadConfig({ SHUTDOWN_TIMEOUT_MS: String(2 ** 31 - 1), HOST: '::1' });
    expect([config.shutdownTimeoutMs, config.host]).toEqual([2 ** 31 - 1, '::1']);
    for (const host of ['127.0.0.1', 'localhost', '::', 'fe80::1%eth0', 'gateway.internal']) {
      expect(problems({ HOST: host })).toEqual([]);
    }
    for (const host of ['[::1]', '[::1', '...', '-', 'a..b', 'host_name']) {
      expect(problems({ HOST: host })).toEqual(['HOST: must be an IP address or a host name']);
    }
  });

  it('rejects an origin with a path, a half on-premises credential and two credentials', () => {
    expect(problems({ POLYTOMIC_BASE_URL: 'https://app.polytomic.com/api' })).toEqual([
      'POLYTOMIC_BASE_URL: must be an origin without a path or query (e.g. https://app.polytomic.com)',
    ]);
    expect(problems({ POLYTOMIC_DEPLOYMENT_KEY: 'k' })).toEqual([
      'POLYTOMIC_ORGANIZATION_ID: POLYTOMIC_DEPLOYMENT_KEY and POLYTOMIC_ORGANIZATION_ID must be set together',
    ]);
    expect(
      problems({
        POLYTOMIC_API_KEY: 'a',
        POLYTOMIC_DEPLOYMENT_KEY: 'k',
        POLYTOMIC_ORGANIZATION_ID: 'o',
      }),
    ).toEqual([
      'POLYTOMIC_API_KEY: set either POLYTOMIC_API_KEY or the on-premises deployment key, not both',
    ]);
  });
  it('reads numbers written in decimal digits only', () => {
    // Number() would read all of these: 1000, 5376, 10, 80, 100.
    for (const odd of ['1e3', '0x1500', '0b1010', '+80', '1_000']) {
      expect(problems({ PORT: odd, POLL_INTERVAL_MS: odd }), odd).toEqual([
        'PORT: must be a whole number',
        'POLL_INTERVAL_MS: must be a whole number',
      ]);
    }
    expect(problems({ POLL_INTERVAL_MS: '-5' })).toEqual([
      'POLL_INTERVAL_MS: must be at least 100',
    ]);
    const config = loadConfig({ PORT: ' 8080 ', POLL_INTERVAL_MS: '0100' });
    expect([config.port, config.poll.intervalMs]).toEqual([8080, 100]);
  });

  it('rejects a user or password in the upstream URL and CORS entries that are not origins', () => {
    expect(problems({ POLYTOMIC_BASE_URL: 'https://user:pass@app.polytomic.com' })).toEqual([
      'POLYTOMIC_BASE_URL: must not hold a user name or password (set POLYTOMIC_API_KEY)',
    ]);
    // One line per bad variable, however many things are wrong with it.
    expect(problems({ POLYTOMIC_BASE_URL: 'ftp://u:p@127.0.0.1/path' })).toEqual([
      'POLYTOMIC_BASE_URL: must be an http(s) URL',
    ]);
    expect(problems({ POLYTOMIC_BASE_URL: 'https://u:p@127.0.0.1/path' })).toEqual([
      'POLYTOMIC_BASE_URL: must not hold a user name or password (set POLYTOMIC_API_KEY)',
    ]);
    expect(
      problems({
        CORS_ORIGINS:
          'https://app.example, not a url,https://b.example/path,ftp://c.example,https://u:secret@d.example,u:secret@e.example,https://f.example#x',
      }),
    ).toEqual([
      'CORS_ORIGINS: each must be *, an origin like https://app.example:8443 or one on any port like http://localhost:*, not "not a url", "https://b.example/path", "ftp://c.example", "https://…@d.example", "…@e.example", "https://f.example#x"',
    ]);
    // A trailing slash is dropped: a browser's Origin header never has one.
    const config = loadConfig({ CORS_ORIGINS: 'https://app.example/, http://localhost:3000,*' });
    expect(config.safety.corsOrigins).toEqual([
      'https://app.example',
      'http://localhost:3000',
      '*',
    ]);
  });
});

describe('Redis configuration', () => {
  const MESSAGE =
    'CREDENTIAL_HASH_SECRET: must be set with REDIS_URL, to the same value on every replica';

  it('refuses REDIS_URL without CREDENTIAL_HASH_SECRET', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(ConfigError);
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([MESSAGE]);
    // Empty counts as unset.
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379', CREDENTIAL_HASH_SECRET: '  ' })).toEqual(
      [MESSAGE],
    );
  });

  it('reads the events settings: webhook mode needs its secret, the interval follows polling', () => {
    expect(problems({ POLYTOMIC_EVENTS: 'webhook' })).toEqual([
      "POLYTOMIC_WEBHOOK_SECRET: must be set with POLYTOMIC_EVENTS=webhook (the secret registered with Polytomic's webhook)",
    ]);
    expect(problems({ POLYTOMIC_EVENTS: 'sometimes' })).toHaveLength(1);
    const config = loadConfig({
      POLYTOMIC_EVENTS: 'webhook',
      POLYTOMIC_WEBHOOK_SECRET: 'sesame-123',
      POLL_INTERVAL_MS: '1500',
      POLL_SAFETY_INTERVAL_MS: '60000',
    });
    expect(config.events).toEqual({
      mode: 'webhook',
      intervalMs: 1500,
      webhookSecret: 'sesame-123',
    });
    expect(config.poll.safetyIntervalMs).toBe(60000);
    expect(loadConfig({ POLYTOMIC_EVENTS_INTERVAL_MS: '5000' }).events.intervalMs).toBe(5000);
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

describe('docs/configuration.md', () => {
  it('has one row for every variable the gateway reads, and none for another', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]);
    expect([...rows].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
