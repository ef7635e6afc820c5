/**
 * IP addresses and prefixes as networkd and NixOS write them (`10.0.0.5/24`, `fd00::5/64`, a bare
 * address meaning a host prefix), parsed with ipaddr.js. IPv4 accepts only dotted decimal with
 * four parts, as inet_pton does; anything else is not an address (null), never a guess.
 */
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  address: ipaddr.IPv4 | ipaddr.IPv6;
  length: number;
  /** As written. */
  text: string;
}

/** `addr/len` or a bare address (a host prefix: /32 or /128). */
export function parsePrefix(text: string): Prefix | null {
  const written = text.trim();
  const slash = written.indexOf('/');
  const addressText = slash < 0 ? written : written.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return null;
  const family: Family = address.kind() === 'ipv4' ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const lengthText = written.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lengthText)) return null;
    length = Number(lengthText);
    if (length > max) return null;
  }
  return { family, address, length, text: written };
}

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/** Whether `address` lies inside `prefix` (same family). */
export function contains(prefix: Prefix, address: Prefix): boolean {
  if (prefix.family !== address.family) return false;
  return address.address.match(prefix.address, prefix.length);
}

export function sameAddress(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.address.toNormalizedString() === b.address.toNormalizedString();
}

/** `0.0.0.0/0` and `::/0`. */
export function isDefaultRoute(p: Prefix): boolean {
  return p.length === 0;
}

/** 169.254.0.0/16 and fe80::/10: every link has them, so they say nothing about subnets. */
export function isLinkLocal(p: Prefix): boolean {
  return p.address.range() === 'linkLocal';
}

/** networkd's `Address=0.0.0.0/24`-style requests for a free address from a pool. */
export function isUnspecified(p: Prefix): boolean {
  return p.address.range() === 'unspecified';
}

/**
 * Addresses that the wider internet does not route back: RFC 1918, shared address space, unique
 * local (fc00::/7) and the deprecated site-local fec0::/10 the routed-network guide uses.
 */
export function isPrivate(p: Prefix): boolean {
  const range: string = p.address.range();
  return ['private', 'carrierGradeNat', 'uniqueLocal', 'deprecatedSiteLocal'].includes(range);
}

/** The network a prefix lies in, as text (`10.0.0.0/24`). */
export function networkText(p: Prefix): string {
  const bytes = p.address.toByteArray();
  let bits = p.length;
  const masked = bytes.map((b) => {
    const keep = Math.max(0, Math.min(8, bits));
    bits -= 8;
    return keep === 0 ? 0 : b & (0xff << (8 - keep)) & 0xff;
  });
  const network = ipaddr.fromByteArray(masked);
  return `${p.family === 6 ? (network as ipaddr.IPv6).toRFC5952String() : network.toString()}/${p.length}`;
}

/** The address alone, normalized (`fd00::5`, `10.0.0.5`). */
export function addressText(p: Prefix): string {
  return p.family === 6 ? (p.address as ipaddr.IPv6).toRFC5952String() : p.address.toString();
}
