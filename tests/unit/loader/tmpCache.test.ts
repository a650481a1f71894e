import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, truncateSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TmpCache } from '../../../src/loader/tmpCache';

let dir: string;
const meta = { etag: '"e1"', sourceBytes: 10, form: 'object' };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'larder-tmpcache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TmpCache', () => {
  it('stores and reads an item with its metadata beside it', async () => {
    const cache = new TmpCache({ dir, maxBytes: 1000 });
    expect(await cache.setItemRaw('a.parquet', Buffer.from('hello'), meta)).toBe(true);
    expect(cache.hasItem('a.parquet')).toBe(true);
    expect(cache.getItemRaw('a.parquet')?.toString()).toBe('hello');
    expect(cache.getMeta('a.parquet')).toMatchObject({ key: 'a.parquet', etag: '"e1"', bytes: 5, form: 'object' });
    expect(cache.getKeys()).toEqual(['a.parquet']);
  });

  it('never leaves a complete-looking file when the writer fails half way', async () => {
    const cache = new TmpCache({ dir, maxBytes: 1000 });
    await expect(
      cache.put('b.parquet', 100, meta, (tmp) => {
        writeFileSync(tmp, 'half');
        throw new Error('network went away');
      }),
    ).rejects.toThrow('network went away');
    expect(cache.hasItem('b.parquet')).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('drops an entry whose file is shorter than recorded', async () => {
    const cache = new TmpCache({ dir, maxBytes: 1000 });
    await cache.setItemRaw('c.parquet', Buffer.alloc(50, 1), meta);
    truncateSync(cache.getPath('c.parquet'), 20);
    expect(cache.getMeta('c.parquet')).toBeNull();
    expect(existsSync(cache.getPath('c.parquet'))).toBe(false);
  });

  it('evicts least recently used entries to stay within the byte budget', async () => {
    const cache = new TmpCache({ dir, maxBytes: 250 });
    await cache.setItemRaw('old', Buffer.alloc(100), meta);
    await new Promise((r) => setTimeout(r, 5));
    await cache.setItemRaw('newer', Buffer.alloc(100), meta);
    await new Promise((r) => setTimeout(r, 5));
    cache.touch('old'); // now "newer" is the least recently used
    await cache.setItemRaw('third', Buffer.alloc(100), meta);
    expect(cache.getKeys().sort()).toEqual(['old', 'third']);
    expect(cache.usage()).toBeLessThanOrEqual(250);
  });

  it('refuses an item bigger than the whole budget', async () => {
    const cache = new TmpCache({ dir, maxBytes: 10 });
    expect(await cache.setItemRaw('big', Buffer.alloc(11), meta)).toBe(false);
    expect(cache.reserve(11)).toBeNull();
  });

  it('on ENOSPC evicts everything else and retries once, then gives up without throwing', async () => {
    const cache = new TmpCache({ dir, maxBytes: 1000 });
    await cache.setItemRaw('other', Buffer.alloc(100), meta);
    let calls = 0;
    const enospc = () => Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const ok = await cache.put('d', 10, meta, (tmp) => {
      calls++;
      if (calls === 1) throw enospc();
      writeFileSync(tmp, 'x'.repeat(10));
    });
    expect(ok).not.toBeNull();
    expect(calls).toBe(2);
    expect(cache.hasItem('other')).toBe(false);
    const never = await cache.put('e', 10, meta, () => {
      throw enospc();
    });
    expect(never).toBeNull();
  });

  it('reclaims temp files of dead writers at start, never counting them; keeps a live writer\'s (counted) until it is an hour old', () => {
    // Prepare: a dead pid's download, this pid's from a previous process (another token), a live writer's.
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: no such process
    writeFileSync(join(dir, `.tmp-${deadPid}-0badc0de-1-x.parquet`), 'x'.repeat(400));
    writeFileSync(join(dir, `.tmp-${process.pid}-0badc0de-1-y.parquet`), 'y'.repeat(300));
    writeFileSync(join(dir, `.tmp-${deadPid}-3-old-format.parquet`), 'z'.repeat(200));
    const live = join(dir, `.tmp-${process.ppid}-12345678-1-live.parquet`);
    writeFileSync(live, 'a download in progress elsewhere');
    // Act
    const cache = new TmpCache({ dir, maxBytes: 1000 });
    // Assess
    expect(readdirSync(dir)).toEqual([basename(live)]);
    expect(cache.usage()).toBe(statSync(live).size);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(live, twoHoursAgo, twoHoursAgo);
    cache.listEntries();
    expect(readdirSync(dir)).toEqual([]);
  });
});
