// Certificate serial numbers: 128 random bits as a positive DER INTEGER (RFC 5280 allows up to
// 20 octets; the top bit is cleared so the value is never read as negative).

import { randomBytes } from 'node:crypto';

/** Hex serial number for @peculiar/x509's generators. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}
