import { describe, expect, it } from 'vitest';
import { createRowStore, type Sync } from '../../board/src/rows.js';

/** A row of the board as the gateway sends it: only what the store reads matters here. */
const sync = (id: string, status: 'RUNNING' | 'COMPLETED' | undefined): Sync =>
  ({
    id,
    name: `Sync ${id}`,
    status: status && { currentExecution: { status }, lastExecution: null },
  }) as Sync;

function store() {
  const said: string[] = [];
  const frames: (() => void)[] = [];
  const rows = createRowStore(
    (text) => said.push(text),
    (run) => frames.push(() => run(0)),
  );
  const renders: number[] = [];
  rows.subscribe((all) => renders.push(all.size));
  return { rows, said, frames, renders };
}

describe('the board’s rows', () => {
  it('applies a frame’s events in one render and says every status change in it, together', () => {
    const { rows, said, frames, renders } = store();
    rows.list([sync('a', undefined), sync('b', 'RUNNING'), sync('c', 'RUNNING')], 1);
    rows.apply(sync('a', 'RUNNING'), 1);
    rows.apply(sync('b', 'COMPLETED'), 1);
    rows.apply(sync('c', 'RUNNING'), 1);
    expect(frames).toHaveLength(1);
    expect(renders).toEqual([3]);

    frames[0]?.();
    expect(renders).toEqual([3, 3]);
    // From idle to running, and from running to completed; c's status did not change.
    expect(said).toEqual(['Sync a: running. Sync b: completed']);
    expect(rows.rows().get('a')?.sync.status?.currentExecution?.status).toBe('RUNNING');
  });

  it('says two changes of one frame in one announcement, and changes a new listing brings', () => {
    const { rows, said, frames } = store();
    rows.list([sync('a', 'RUNNING'), sync('b', 'RUNNING')], 1);
    rows.apply(sync('a', 'COMPLETED'), 1);
    rows.apply(sync('b', 'COMPLETED'), 1);
    frames[0]?.();
    rows.list([sync('a', 'RUNNING'), sync('b', 'COMPLETED')], 2);
    expect(said).toEqual(['Sync a: completed. Sync b: completed', 'Sync a: running']);
    expect([...rows.rows().values()].map((row) => row.epoch)).toEqual([2, 2]);
  });

  it('leaves a sync it does not list to the next listing', () => {
    const { rows, frames, said } = store();
    rows.list([sync('a', 'RUNNING')], 1);
    rows.apply(sync('z', 'COMPLETED'), 1);
    frames[0]?.();
    expect([...rows.rows().keys()]).toEqual(['a']);
    expect(said).toEqual([]);
  });
});
