import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchWrites, noteConnection } from '../../src/http/websocket/batching.js';

/** A connection that records each write it is given: one entry per system call it would make. */
function connection() {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { stream, writes };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('batched WebSocket writes', () => {
  it('sends the frames written to one connection in one turn as one write', async () => {
    const a = connection();
    const b = connection();
    const socketA = {};
    const socketB = {};
    noteConnection(socketA, a.stream);
    noteConnection(socketB, b.stream);
    for (const frame of ['1', '2', '3']) {
      batchWrites(socketA);
      a.stream.write(frame);
    }
    batchWrites(socketB);
    b.stream.write('x');
    expect(a.writes).toEqual([]);
    expect(b.writes).toEqual([]);
    await turn();
    expect(a.writes).toEqual([['1', '2', '3']]);
    expect(b.writes).toEqual([['x']]);

    // The next turn's frames are a write of their own.
    batchWrites(socketA);
    a.stream.write('4');
    await turn();
    expect(a.writes).toEqual([['1', '2', '3'], ['4']]);
  });

  it('leaves a socket it was never told the connection of alone', async () => {
    const a = connection();
    batchWrites({});
    a.stream.write('1');
    await turn();
    expect(a.writes).toEqual([['1']]);
  });
});
