// PEM framing through @peculiar/x509's PemConverter: pick the blocks of one label out of a PEM
// text and decode them to DER, or encode DER under a label. What the DER means is left to
// node:crypto and @peculiar/x509.

import { x509 } from './x509-library.js';

/** The DER bytes of every PEM block labelled `label` (e.g. "CERTIFICATE"), in order. */
export function pemBlocks(text: string, label: string): Buffer[] {
  let structs: { type: string; rawData: ArrayBuffer }[];
  try {
    structs = x509.PemConverter.decodeWithHeaders(text);
  } catch {
    return [];
  }
  return structs.filter((s) => s.type === label).map((s) => Buffer.from(s.rawData));
}

/** The DER of the single block labelled `label`, or a reason why there is not exactly one. */
export function singlePemBlock(text: string, label: string): Buffer | string {
  const blocks = pemBlocks(text, label);
  if (blocks.length === 0) return `no PEM ${label} block found`;
  if (blocks.length > 1) return `expected one PEM ${label} block, found ${blocks.length}`;
  const der = blocks[0];
  if (der === undefined || der.length === 0) return `the PEM ${label} block is empty`;
  return der;
}

/** PEM text of DER bytes under `label`, ending with a newline. */
export function toPem(der: Uint8Array, label: string): string {
  const pem = x509.PemConverter.encode(Buffer.from(der), label);
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
