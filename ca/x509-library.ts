// The X.509 library (@peculiar/x509), loaded with what it needs: its dependency injection
// container (tsyringe) requires the Reflect metadata polyfill before it is first imported, so
// every file in this folder imports the library from here, never from the package directly.
// Node's WebCrypto is passed explicitly to each generator call (see `webCrypto`).

import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export { x509 };

/** The WebCrypto implementation handed to @peculiar/x509's generators and verifiers. */
export const webCrypto: webcrypto.Crypto = webcrypto;

/** A WebCrypto key (node:crypto's type; the DOM's global type is not in this project's lib). */
export type CryptoKey = webcrypto.CryptoKey;

/** ECDSA over P-256 with SHA-256: the algorithm of every key and signature in the swarm. */
export const ECDSA_P256: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};
