/**
 * Positional reads of byte runs from one file into caller-owned memory, several in flight on the
 * libuv thread pool, so the event loop stays free (the loader's HeadObject revalidation, or checksum
 * work on the runs that already landed, proceeds meanwhile).
 */
import { closeSync, openSync, read } from 'node:fs';

export interface Run {
  target: Uint8Array;
  offset: number;
  position: number;
  length: number;
}

/** Reads every run at its position, `concurrency` reads in flight on the thread pool; false on any failure. */
export async function readRuns(path: string, runs: Run[], concurrency: number, onRunRead?: (index: number) => void): Promise<boolean> {
  // A sync open and callback reads: the first reads are queued before this function first yields.
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  const readAt = (target: Uint8Array, offset: number, length: number, position: number) =>
    new Promise<number>((resolve, reject) => read(fd, target, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
  try {
    let next = 0;
    const worker = async () => {
      while (next < runs.length) {
        const index = next++;
        const r = runs[index];
        let done = 0;
        while (done < r.length) {
          const bytesRead = await readAt(r.target, r.offset + done, r.length - done, r.position + done);
          if (bytesRead === 0) throw new Error('unexpected end of file');
          done += bytesRead;
        }
        onRunRead?.(index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
