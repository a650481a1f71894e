/** Where the page reader reads from: a file (positional reads, no intermediate copy) or a buffer. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface Source {
  size: number;
  read(position: number, length: number): Buffer;
  /** Reads `length` bytes at `position` into `target` at `offset` (no intermediate copy for files). */
  readInto(target: Uint8Array, offset: number, position: number, length: number): void;
  close(): void;
}

export function fileSource(path: string): Source {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  const readInto = (target: Uint8Array, offset: number, position: number, length: number) => {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, target, offset + done, Math.min(length - done, 1 << 30), position + done);
      if (n === 0) throw new Error('unexpected end of file');
      done += n;
    }
  };
  return {
    size,
    read: (position, length) => {
      const b = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
      readInto(b, 0, position, b.length);
      return b;
    },
    readInto,
    close: () => closeSync(fd),
  };
}

export function bufferSource(buf: Buffer): Source {
  return {
    size: buf.length,
    read: (position, length) => buf.subarray(position, position + length),
    readInto: (target, offset, position, length) => {
      if (position + length > buf.length) throw new Error('unexpected end of buffer');
      target.set(buf.subarray(position, position + length), offset);
    },
    close: () => {},
  };
}

