/** Artifact bytes for registry tests: tar / tar.gz / zip built in memory, and model READMEs. */
import { gzipSync } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';

/** A ustar archive of `files` (path → text or bytes). */
export function makeTar(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, content] of Object.entries(files)) {
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    const header = Buffer.alloc(512);
    header.write(path, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function makeTarGz(files: Record<string, string | Buffer>): Buffer {
  return gzipSync(makeTar(files));
}

export function makeZip(files: Record<string, string>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));
}

/** A model card that passes the default rater: license, usage with code, stated results. */
export const GOOD_MODEL_README = `---
license: mit
pipeline_tag: text-classification
datasets:
  - tiny-squad
---
# tiny-classifier

A small classifier for tests. It sorts short texts into two classes and is trained on tiny-squad.
It exists so the registry has something realistic to rate: a model card with a license, a usage
section with runnable code, and stated results, like the cards on public model hubs.

## Usage

\`\`\`python
from transformers import pipeline
clf = pipeline("text-classification", model="tiny-classifier")
print(clf("hello"))
\`\`\`

## Evaluation

| metric | value |
|---|---|
| accuracy | 0.91 |
| f1 | 0.88 |
`;

/** A model artifact (tar.gz) that the default rater accepts. */
export function goodModelArchive(extra: Record<string, string> = {}): Buffer {
  return makeTarGz({ 'README.md': GOOD_MODEL_README, 'LICENSE': 'MIT License\n\nPermission is hereby granted, free of charge, ...', 'model.py': 'import torch\n', 'requirements.txt': 'torch\n', ...extra });
}

/** Bytes the default rater rejects: no README, no license. */
export function bareBytes(size = 64): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + 3) % 256 || 1;
  b[0] = 0;
  return b;
}

/** A multipart/form-data body with these parts, CRLF line ends as browsers send them. */
export type MultipartPart = { name: string; value: string | Buffer; fileName?: string; contentType?: string };

export function multipartBody(boundary: string, parts: MultipartPart[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.fileName !== undefined ? `; filename="${p.fileName}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

