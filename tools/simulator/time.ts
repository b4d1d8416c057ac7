import { createHash } from 'node:crypto';

/** Formats epoch milliseconds as an RFC 3339 UTC timestamp with second precision. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Derives a stable, well-formed UUID from a seed, so ids are a pure function of the scenario. */
export function stableUuid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

/** A stable number in [0, 1) derived from a seed, for deterministic variety. */
export function stableUnit(seed: string): number {
  return Number.parseInt(createHash('sha1').update(seed).digest('hex').slice(0, 12), 16) / 2 ** 48;
}
