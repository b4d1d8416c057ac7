// Reads a V8 .heapsnapshot (JSON: `snapshot.meta.node_fields` names the fields of each node in
// the flat `nodes` array, `strings` holds the names) into self sizes per kind of node.
import { readFileSync } from 'node:fs';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface Bucket {
  bytes: number;
  count: number;
}

// Names of these are their contents or values: one bucket per type, not per name.
const BY_TYPE_ONLY = new Set(['string', 'concatenated string', 'sliced string', 'number']);

/** How a node is grouped: `type:name` (an object by constructor, a closure by function name). */
function bucketOf(type: string, name: string): string {
  if (BY_TYPE_ONLY.has(type)) return type;
  // Code and hidden names can be long (a script's source position, a native's description);
  // anonymous functions and V8's internal arrays have none.
  if (!name) return `${type}:(no name)`;
  return `${type}:${name.length > 60 ? `${name.slice(0, 57)}...` : name}`;
}

/** Self size and count per `type:name` over every node of the snapshot at `path`. */
export function summarizeSnapshot(path: string): Map<string, Bucket> {
  const file = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshotFile;
  const fields = file.snapshot.meta.node_fields;
  const types = file.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const buckets = new Map<string, Bucket>();
  const { nodes, strings } = file;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt] as number] ?? 'unknown';
    const key = bucketOf(type, strings[nodes[i + nameAt] as number] ?? '');
    const bucket = buckets.get(key);
    const size = nodes[i + sizeAt] as number;
    if (bucket) {
      bucket.bytes += size;
      bucket.count += 1;
    } else buckets.set(key, { bytes: size, count: 1 });
  }
  return buckets;
}

/** `after - before` per bucket, largest growth first. */
export function diffSummaries(
  before: Map<string, Bucket>,
  after: Map<string, Bucket>,
): [string, Bucket][] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((key): [string, Bucket] => {
      const a = before.get(key) ?? { bytes: 0, count: 0 };
      const b = after.get(key) ?? { bytes: 0, count: 0 };
      return [key, { bytes: b.bytes - a.bytes, count: b.count - a.count }];
    })
    .sort((x, y) => y[1].bytes - x[1].bytes);
}

export const totalBytes = (summary: Map<string, Bucket>) =>
  [...summary.values()].reduce((sum, { bytes }) => sum + bytes, 0);
