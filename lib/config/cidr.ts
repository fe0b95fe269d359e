/** IPv4 CIDR arithmetic for config validation (no dependency needed for this much). */

export interface CidrRange {
  readonly first: number;
  readonly last: number;
}

export function parseCidr(cidr: string): CidrRange {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const octets = address.split('.').map(Number);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = base - (base % size);
  return { first, last: first + size - 1 };
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.first <= y.last && y.first <= x.last;
}

export function formatCidr(first: number, prefix: number): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/** True when the CIDR's address is the network address (no host bits set). */
export function isNetworkAddress(cidr: string): boolean {
  const [address] = cidr.split('/');
  const base = address.split('.').map(Number).reduce((acc, o) => acc * 256 + o, 0);
  return parseCidr(cidr).first === base;
}
