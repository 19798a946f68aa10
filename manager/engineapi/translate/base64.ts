// A []byte field of Docker's JSON (secret and config Data): Go's decoder reads it as standard
// base64 with padding, skipping CR and LF, and refuses any other character. The store keeps
// the same encoding without line breaks, so equal data is an equal string.

import { invalidParameter } from '../errors.js';

const ALPHABET = /[A-Za-z0-9+/]/;

/** The base64 text without line breaks, or dockerd's "invalid JSON" answer for bad input. */
export function goBase64(value: string): string {
  const text = value.replace(/[\r\n]/g, '');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.length - padding;
  for (let i = 0; i < body; i++) {
    if (!ALPHABET.test(text[i]!)) throw badBase64(i);
  }
  if (text.length % 4 !== 0) throw badBase64(text.length - (text.length % 4));
  return text;
}

function badBase64(at: number): Error {
  return invalidParameter(`invalid JSON: illegal base64 data at input byte ${at}`);
}
