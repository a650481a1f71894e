import { describe, expect, it } from 'vitest';
import { EgressGuard, EgressRefused, isMetadataAddress, isPublicAddress } from '../../../src/registry/egress';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '198.18.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1', '2002:7f00:1::', 'not-an-ip',
  ])('%s is not public', (ip) => expect(isPublicAddress(ip)).toBe(false));

  it.each(['8.8.8.8', '1.1.1.1', '151.101.1.69', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => expect(isPublicAddress(ip)).toBe(true));

  it('knows the metadata addresses in every spelling', () => {
    for (const ip of ['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fd00:ec2::254', '169.254.170.2']) expect(isMetadataAddress(ip)).toBe(true);
    expect(isMetadataAddress('169.254.1.1')).toBe(false);
  });
});

describe('EgressGuard', () => {
  it('opens allowlisted hosts and ranges, never the metadata address', () => {
    const guard = new EgressGuard({ allowHosts: ['127.0.0.1', 'dev.internal', '169.254.0.0/16'], s3Buckets: [] });
    expect(() => guard.checkAddress('127.0.0.1', '127.0.0.1')).not.toThrow();
    expect(() => guard.checkAddress('dev.internal', '10.1.2.3')).not.toThrow();
    expect(() => guard.checkAddress('localhost', '::1')).toThrow(EgressRefused);
    expect(() => guard.checkAddress('x', '169.254.169.254')).toThrow(/metadata/);
    expect(() => guard.checkAddress('x', '8.8.8.8')).not.toThrow();
  });

  it('allows s3:// only from listed buckets and prefixes', () => {
    const guard = new EgressGuard({ allowHosts: [], s3Buckets: ['incoming-bucket', 'shared/uploads/'] });
    expect(() => guard.checkS3('incoming-bucket', 'any/key')).not.toThrow();
    expect(() => guard.checkS3('shared', 'uploads/a.tar.gz')).not.toThrow();
    expect(() => guard.checkS3('shared', 'secrets/a')).toThrow(/s3_buckets/);
    expect(() => guard.checkS3('other', 'a')).toThrow(EgressRefused);
  });
});
