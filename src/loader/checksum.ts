/**
 * The content checksum of /tmp cache entries: CRC-32, recorded when a file enters the cache and
 * checked on every load from it, so a cached file whose bytes changed at the same size (a flipped
 * float, a partial overwrite) is dropped and fetched again instead of served. CRC-32 rather than a
 * cryptographic hash because it runs inside a warm load: zlib's native crc32 (Node ≥ 20.15) does
 * ~2.5 GB/s here, and the embeddings' vector file is checked per 4 MiB block as each block lands,
 * overlapping the reads. It detects every burst error up to 32 bits and random corruption with odds 2⁻³²; it is not
 * a defence against someone who can write /tmp on purpose (they could also write the metadata).
 */
import * as zlib from 'node:zlib';

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export function crc32(data: Uint8Array, previous = 0): number {
  return nativeCrc32 ? nativeCrc32(data, previous) : jsCrc32(data, previous);
}

/** Thrown by a reader when cached bytes do not match their recorded checksum. */
export class ContentChecksumError extends Error {
  constructor(where: string) {
    super(`content checksum mismatch in ${where}: the cached bytes changed since they were stored`);
    this.name = 'ContentChecksumError';
  }
}

let table: Uint32Array | undefined;

/** Fallback for Node < 20.15 (no zlib.crc32): the same CRC-32 (IEEE), table-driven. */
function jsCrc32(data: Uint8Array, previous: number): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
