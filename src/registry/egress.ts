/**
 * Where the ingest worker may fetch from (SSRF guard). An http(s) source is fetched only when every
 * address its host resolves to is public: not loopback, private, link-local, shared (CGNAT),
 * multicast, reserved, documentation, or a cloud metadata address — checked after DNS resolution,
 * on the address the socket actually connects to (so a DNS answer cannot change between check and
 * connect), and again on every redirect. `allow_hosts` (hosts, IPs or CIDRs) opens non-public
 * addresses for local development; the metadata addresses stay closed even then. s3:// sources
 * must name a bucket (optionally bucket/prefix) listed in `s3_buckets`.
 */
import { BlockList, isIP } from 'node:net';

export interface EgressPolicy {
  /** Hostnames, IP addresses or CIDRs reachable although not public (local development). */
  allowHosts: readonly string[];
  /** "bucket" or "bucket/prefix" entries that s3:// sources may name. */
  s3Buckets: readonly string[];
}

/** Instance metadata endpoints (AWS IMDS v4/v6, ECS task metadata, GCP/Azure share 169.254.169.254): never reachable. */
const METADATA = new BlockList();
METADATA.addAddress('169.254.169.254');
METADATA.addAddress('169.254.170.2');
METADATA.addAddress('fd00:ec2::254', 'ipv6');

/** Every non-public range (IANA special-purpose registries, IPv4 and IPv6). */
const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NON_PUBLIC.addSubnet(net, bits, 'ipv6');

export class EgressRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressRefused';
  }
}

/** IPv4 embedded in an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = lower.match(/^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/)?.[1];
  if (dotted) return dotted;
  const hex = lower.match(/^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (!hex) return undefined;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function isMetadataAddress(address: string): boolean {
  const v4 = embeddedIPv4(address);
  if (v4) return METADATA.check(v4, 'ipv4');
  return METADATA.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (!family) return false;
  const v4 = family === 6 ? embeddedIPv4(address) : undefined;
  if (v4) return !NON_PUBLIC.check(v4, 'ipv4');
  return !NON_PUBLIC.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Compiled allowlist: exact hostnames, and addresses/CIDRs. */
export class EgressGuard {
  private readonly hosts = new Set<string>();
  private readonly ranges = new BlockList();

  constructor(readonly policy: EgressPolicy) {
    for (const entry of policy.allowHosts) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr);
      if (family && bits !== undefined) this.ranges.addSubnet(addr, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
      else if (family) this.ranges.addAddress(addr, family === 6 ? 'ipv6' : 'ipv4');
      else this.hosts.add(entry.toLowerCase().replace(/\.$/, ''));
    }
  }

  /** Throws EgressRefused unless `address` (what `hostname` resolved to) may be connected to. */
  checkAddress(hostname: string, address: string): void {
    if (isMetadataAddress(address)) throw new EgressRefused(`${describeHost(hostname, address)} is a cloud metadata address; ingest never fetches from it`);
    if (isPublicAddress(address)) return;
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.hosts.has(bareHost(hostname)) || this.ranges.check(address, family)) return;
    throw new EgressRefused(`${describeHost(hostname, address)} is not a public address (loopback, private, link-local or reserved); ingest fetches only public sources (allow it in registry.ingest.allow_hosts for local development)`);
  }

  /** s3://bucket/key: allowed only from the configured buckets (and prefixes). */
  checkS3(bucket: string, key: string): void {
    const ok = this.policy.s3Buckets.some((entry) => {
      const slash = entry.indexOf('/');
      if (slash < 0) return entry === bucket;
      return entry.slice(0, slash) === bucket && key.startsWith(entry.slice(slash + 1));
    });
    if (!ok) throw new EgressRefused(`s3://${bucket}/ is not an ingest source bucket (registry.ingest.s3_buckets lists the ones allowed)`);
  }
}

export function bareHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

function describeHost(hostname: string, address: string): string {
  const host = bareHost(hostname);
  return host === address ? address : `${host} (${address})`;
}

/**
 * The check at registration (POST / PUT with a URL), so a refused source is a 400 with nothing
 * stored: s3:// buckets, IP literals, and what a host name resolves to now (within `timeoutMs`; a
 * name that does not resolve here is left to the worker, which checks again on connect).
 */
export async function precheckSource(guard: EgressGuard, url: string, timeoutMs = 1500): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol === 's3:') return guard.checkS3(parsed.hostname, decodeURIComponent(parsed.pathname.replace(/^\/+/, '')));
  const host = bareHost(parsed.hostname);
  if (isIP(host)) return guard.checkAddress(host, host);
  const { lookup } = await import('node:dns/promises');
  const addresses = await Promise.race([
    lookup(host, { all: true, verbatim: true }).catch(() => []),
    new Promise<[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref()),
  ]);
  for (const a of addresses) guard.checkAddress(host, a.address);
}
