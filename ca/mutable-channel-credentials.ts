// Channel credentials whose trust and identity can change while channels built on them live: a
// manager's Raft and Control clients are built once, but its certificate is renewed and, during a
// root CA rotation, the roots it trusts change. Each new connection takes the material current
// at its handshake (grpc-js certificate providers); open connections keep theirs.

import * as grpc from '@grpc/grpc-js';
import { managerIdentityCheck, type NodeTlsMaterial } from './tls-credentials.js';

type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** A certificate provider fed from memory: `set` hands the new material to every listener. */
class MemoryCertificateProvider implements grpc.experimental.CertificateProvider {
  #material: NodeTlsMaterial;
  readonly #ca = new Set<CaListener>();
  readonly #identity = new Set<IdentityListener>();

  constructor(material: NodeTlsMaterial) {
    this.#material = material;
  }

  get material(): NodeTlsMaterial {
    return this.#material;
  }

  set(material: NodeTlsMaterial): void {
    this.#material = material;
    for (const l of this.#ca) l(this.#caUpdate());
    for (const l of this.#identity) l(this.#identityUpdate());
  }

  #caUpdate(): grpc.experimental.CaCertificateUpdate {
    return { caCertificate: Buffer.from(this.#material.rootCaPem) };
  }

  #identityUpdate(): grpc.experimental.IdentityCertificateUpdate {
    return {
      certificate: Buffer.from(this.#material.certPem),
      privateKey: Buffer.from(this.#material.keyPem),
    };
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#ca.add(listener);
    listener(this.#caUpdate());
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#ca.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.add(listener);
    listener(this.#identityUpdate());
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.delete(listener);
  }
}

/** A node's credentials for dialing the managers of its cluster, replaceable in place. */
export class MutableNodeChannelCredentials {
  readonly credentials: grpc.ChannelCredentials;
  readonly #provider: MemoryCertificateProvider;

  constructor(material: NodeTlsMaterial & { readonly clusterId: string }) {
    const provider = new MemoryCertificateProvider(material);
    this.#provider = provider;
    this.credentials = grpc.experimental.createCertificateProviderChannelCredentials(provider, provider, {
      checkServerIdentity: managerIdentityCheck(() => provider.material.rootCaPem, {
        clusterId: material.clusterId,
      }),
    });
  }

  /** New connections present this certificate and trust these roots. */
  update(material: NodeTlsMaterial): void {
    this.#provider.set(material);
  }
}
