import { Buffer } from 'node:buffer';
import {
  SIM_DEPLOYMENT_KEY,
  SIM_KEY,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
  SIM_OTHER_KEY_SYNCS,
} from './ids.js';
import { stableUuid } from './time.js';
import type { OutputActor } from './wire-types.js';

/** Which syncs a credential sees: every one, or a set of lowercase ids. */
export type Visibility = Set<string> | 'all';

/**
 * The credential named by an `Authorization` header: the raw token for Bearer, and
 * `<organization-id>:<deployment-key>` for Basic. Bearer tokens containing `:` are rejected
 * so a Bearer token can never pass as a Basic pair.
 */
export function parseCredential(header: string | undefined): string | undefined {
  const match = /^(\S+) +(\S+) *$/.exec(header ?? '');
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2];
  if (value === undefined) return undefined;
  if (scheme === 'bearer') return value.includes(':') ? undefined : value;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const org = decoded.slice(0, colon).trim();
  const key = decoded.slice(colon + 1).trim();
  return colon > 0 && org !== '' && key !== '' ? `${org}:${key}` : undefined;
}

/** The built-in credentials: two Bearer keys and the on-prem Basic pair. */
export function defaultCredentials(): Map<string, Visibility> {
  return new Map<string, Visibility>([
    [SIM_KEY, 'all'],
    [SIM_OTHER_KEY, new Set(SIM_OTHER_KEY_SYNCS)],
    [`${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY}`, 'all'],
  ]);
}

/** Whether a credential with this visibility may see the sync. */
export function canSee(visibility: Visibility, syncId: string): boolean {
  return visibility === 'all' || visibility.has(syncId);
}

/**
 * Who a credential acts as in `updated_by`: an API key is a user's, a Basic org:key pair the
 * organization's. The id is derived from the credential; the name never contains it.
 */
export function actorFor(credential: string): OutputActor {
  const colon = credential.indexOf(':');
  if (colon > 0) {
    const org = credential.slice(0, colon);
    return {
      id: stableUuid(`actor/org/${org}`),
      name: 'Organization API key',
      type: 'organization',
    };
  }
  return { id: stableUuid(`actor/key/${credential}`), name: 'API key user', type: 'user' };
}
