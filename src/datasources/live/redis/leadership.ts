import { randomUUID } from 'node:crypto';
import type { Leadership } from '../leadership.js';
import { realScheduler, type Scheduler } from '../scheduler.js';
import type { RedisLink } from './connection.js';

// Renew or release only a lease this replica still holds.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Poll leadership as a Redis lease per (credential hash, sync): `SET key me NX PX lease`, renewed
 * every third of the lease, retried by followers every half lease, so a dead leader is replaced
 * within 1.5 lease periods. A replica campaigns only for syncs its own subscribers watch, with
 * their credential, so only the credential's HMAC ever travels through Redis. When Redis cannot
 * be reached the replica leads locally (it polls for itself); when Redis returns it campaigns
 * again and stands down if another replica holds the lease.
 */
export function createRedisLeadership(
  redis: RedisLink,
  {
    namespace,
    leaseMs,
    scheduler = realScheduler,
  }: { namespace: string; leaseMs: number; scheduler?: Scheduler },
): Leadership {
  const me = randomUUID();
  return {
    campaign(key, onElected, onDeposed) {
      const lease = `${namespace}:lease:${key}`;
      let leading = false;
      let withdrawn = false;
      let timer: unknown;

      const lead = (yes: boolean) => {
        if (yes === leading || withdrawn) return;
        leading = yes;
        if (yes) onElected();
        else onDeposed();
      };
      const next = (ms: number) => {
        if (!withdrawn) timer = scheduler.setTimeout(step, ms);
      };

      /** Asks for the lease; a request that wins after the campaign was withdrawn gives it back. */
      async function take() {
        const taken = (await redis.commands.set(lease, me, 'PX', leaseMs, 'NX')) === 'OK';
        if (taken && withdrawn) await redis.commands.eval(RELEASE, 1, lease, me);
        return taken && !withdrawn;
      }

      async function step() {
        if (!redis.isUp()) {
          lead(true);
          return next(leaseMs / 2);
        }
        try {
          // Renew what we hold; else (never held, expired while unreachable, or leading in
          // fallback) ask for it.
          const held =
            leading && (await redis.commands.eval(RENEW, 1, lease, me, String(leaseMs))) === 1;
          const leads = held || (await take());
          lead(leads);
          next(leads ? leaseMs / 3 : leaseMs / 2);
        } catch {
          lead(true);
          next(leaseMs / 2);
        }
      }

      void step();
      return () => {
        withdrawn = true;
        scheduler.clearTimeout(timer);
        if (leading) {
          leading = false;
          onDeposed();
          if (redis.isUp()) redis.commands.eval(RELEASE, 1, lease, me).catch(() => {});
        }
      };
    },
  };
}
