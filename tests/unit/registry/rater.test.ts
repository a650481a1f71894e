import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { summariseArchive } from '../../../src/registry/archive';
import { detectLicense, scoreLicense } from '../../../src/registry/license';
import { DEVICE_SIZE_LIMITS, NET_WEIGHTS, deviceSizeScores, rateOffline } from '../../../src/registry/rater';
import { GOOD_MODEL_README, bareBytes, goodModelArchive, makeTar, makeTarGz, makeZip } from './fixtures';
import { specErrors } from './spec';

const MB = 1024 * 1024;

describe('archive reading', () => {
  it('reads README and LICENSE from tar, tar.gz and zip, in sub-folders too', () => {
    const files = { 'pkg/README.md': '# hi', 'pkg/LICENSE': 'MIT License', 'pkg/weights.bin': 'x'.repeat(10) };
    for (const bytes of [makeTar(files), makeTarGz(files), makeZip(files)]) {
      const s = summariseArchive(bytes);
      expect(s.paths).toEqual(expect.arrayContaining(['pkg/README.md', 'pkg/LICENSE', 'pkg/weights.bin']));
      expect(s.texts.get('pkg/README.md')).toBe('# hi');
      expect(s.texts.has('pkg/weights.bin')).toBe(false);
    }
  });

  it('treats plain text as the README, and binary or broken gzip as nothing', () => {
    expect(summariseArchive(Buffer.from('license: MIT\n# a model')).texts.get('README')).toContain('license: MIT');
    expect(summariseArchive(bareBytes()).kind).toBe('binary');
    expect(summariseArchive(Buffer.from([0x1f, 0x8b, 1, 2, 3])).kind).toBe('binary');
    expect(summariseArchive(gzipSync(Buffer.from('# just text'))).texts.get('README')).toBe('# just text');
  });

  it('does not inflate big entries it does not need', () => {
    const s = summariseArchive(makeZip({ 'README.md': 'x'.repeat(300 * 1024), 'LICENSE': 'MIT License' }));
    expect(s.texts.has('README.md')).toBe(false);
    expect(s.texts.get('LICENSE')).toBe('MIT License');
  });
});

describe('license detection', () => {
  it.each([
    [{ 'README.md': '---\nlicense: apache-2.0\n---\n# x' }, 'apache-2.0', 1],
    [{ LICENSE: 'GNU LESSER GENERAL PUBLIC LICENSE\n Version 2.1, February 1999' }, 'lgpl-2.1', 1],
    [{ LICENSE: 'GNU GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007' }, 'gpl-3.0', 0.5],
    [{ 'README.md': '# m\n\n## License\n\nThis model is released under the MIT license.\n' }, 'mit', 1],
    [{ 'README.md': '# m\nLicense: CC BY-NC 4.0\n' }, 'cc-by-nc-4.0', 0],
    [{ 'README.md': '# no license here' }, undefined, 0],
  ])('finds %j → %s (score %s)', (files, id, score) => {
    const found = detectLicense(new Map(Object.entries(files)));
    expect(found.id).toBe(id);
    expect(found.score).toBe(score);
  });

  it('scores unknown ids 0, never a fallback', () => {
    expect(scoreLicense('some-custom-license')).toBe(0);
    expect(scoreLicense(undefined)).toBe(0);
  });
});

describe('default rater', () => {
  it('gives each device class its size score as documented', () => {
    expect(deviceSizeScores(10 * MB)).toEqual({ raspberry_pi: 1, jetson_nano: 1, desktop_pc: 1, aws_server: 1 });
    expect(deviceSizeScores(DEVICE_SIZE_LIMITS.raspberry_pi.zeroBytes).raspberry_pi).toBe(0);
    const mid = deviceSizeScores(600 * MB);
    expect(mid.raspberry_pi).toBe(0.5);
    expect(mid.jetson_nano).toBeGreaterThan(0.9);
    expect(deviceSizeScores(100_000 * MB)).toEqual({ raspberry_pi: 0, jetson_nano: 0, desktop_pc: 0, aws_server: 0 });
  });

  it('rates a documented, licensed model above 0.5, in the spec\'s ModelRating shape', () => {
    const bytes = goodModelArchive();
    const { rating, license } = rateOffline({ name: 'tiny', sizeBytes: bytes.length, archive: summariseArchive(bytes), dependencies: [{ type: 'dataset', name: 'tiny-squad' }] });
    expect(specErrors('ModelRating', rating)).toEqual([]);
    expect(license).toBe('mit');
    expect(rating.category).toBe('text-classification');
    expect(rating.license).toBe(1);
    expect(rating.reproducibility).toBe(1);
    expect(rating.performance_claims).toBe(1);
    expect(rating.net_score).toBeGreaterThanOrEqual(0.5);
    for (const [k, v] of Object.entries(rating)) if (typeof v === 'number') expect(v, k).toBeGreaterThanOrEqual(0);
  });

  it('rates bytes without README or license below 0.5 with no made-up scores', () => {
    const bytes = bareBytes();
    const { rating } = rateOffline({ name: 'blob', sizeBytes: bytes.length, archive: summariseArchive(bytes), dependencies: [] });
    expect(rating.net_score).toBeLessThan(0.5);
    expect(rating.license).toBe(0);
    expect(rating.ramp_up_time).toBe(0);
    expect(rating.bus_factor).toBe(0);
  });

  it('counts linked dependencies in dataset_and_code_score, dataset_quality and tree_score', () => {
    const archive = summariseArchive(Buffer.from(GOOD_MODEL_README));
    const unlinked = rateOffline({ name: 'm', sizeBytes: 10, archive, dependencies: [{ type: 'dataset', name: 'd' }] }).rating;
    const linked = rateOffline({ name: 'm', sizeBytes: 10, archive, dependencies: [{ type: 'dataset', name: 'd', linked: { id: 'x', licenseScore: 1, hasReadme: true } }] }).rating;
    expect(linked.dataset_and_code_score).toBeGreaterThan(unlinked.dataset_and_code_score);
    expect(linked.dataset_quality).toBe(1);
    expect(unlinked.dataset_quality).toBe(0);
    expect(linked.tree_score).toBe(1);
    expect(unlinked.tree_score).toBe(0);
    expect(linked.net_score).toBeGreaterThan(unlinked.net_score);
  });

  it('has net weights that add up to 1', () => {
    expect(Object.values(NET_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });
});
