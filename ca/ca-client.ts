// The node's side of the CA: join (fetch the root without trusting anyone, pin it against the
// token, then get a certificate for a key made here) and renew (over mutual TLS, new key, same
// node ID). Everything a manager sends back is checked before it is used.

import * as grpc from '@grpc/grpc-js';
import {
  newGetRootRequest,
  newIssueRequest,
  newRenewRequest,
  nodeCaServiceDefinition,
  type PbIssueResponse,
  type PbRenewResponse,
} from './ca-service.js';
import { certificateBlocks, MAX_BUNDLE_CERTIFICATES } from './cert-chain.js';
import { CaCallError, InvalidCertificateError, remoteErrorCode } from './errors.js';
import { parseJoinToken, verifyCaAgainstToken } from './join-token.js';
import {
  certificateMatchesKey,
  generateNodeKeyAndCsr,
  verifyNodeCertificate,
  type NodeIdentity,
  type NodeKeyAndCsr,
} from './node-certificate.js';
import {
  bootstrapChannelCredentials,
  channelCredentials,
  nodeChannelCredentials,
  NODE_CHANNEL_OPTIONS,
  type NodeTlsMaterial,
} from './tls-credentials.js';

/** A node's complete PKI state: who it is and the material to prove it. */
export interface NodeCredentials extends NodeIdentity, NodeTlsMaterial {}

export interface CaClientOptions {
  /** Per-call deadline (default 10 s). */
  readonly deadlineMs?: number;
  /** The clock certificates are checked against (default: the system clock). */
  readonly now?: () => Date;
}

const DEFAULT_DEADLINE_MS = 10_000;

/**
 * Step 1 of joining: fetches the root CA from `target` (host:port) without verifying the server,
 * and returns it only if its digest is the one in `token` (CaDigestMismatchError otherwise).
 */
export async function fetchPinnedRootCa(
  target: string,
  token: string,
  options: CaClientOptions = {},
): Promise<string> {
  parseJoinToken(token);
  const client = new grpc.Client(target, bootstrapChannelCredentials(), NODE_CHANNEL_OPTIONS);
  try {
    const res = await unary(
      client,
      target,
      nodeCaServiceDefinition.getRootCACertificate,
      newGetRootRequest(),
      options,
    );
    verifyCaAgainstToken(res.certificate, token);
    return res.certificate;
  } finally {
    client.close();
  }
}

/**
 * Step 2 of joining: dials `target` trusting only `rootCaPem` (the server must be a manager),
 * presents the CSR and the token, and returns the node's credentials once the certificate is
 * checked: signed by the root, for our key, naming the role and node the CA announced.
 */
export async function requestNodeCertificate(
  target: string,
  rootCaPem: string,
  token: string,
  key: NodeKeyAndCsr,
  options: CaClientOptions = {},
): Promise<NodeCredentials> {
  const client = new grpc.Client(
    target,
    channelCredentials({ rootCaPem }, clockOption(options)),
    NODE_CHANNEL_OPTIONS,
  );
  try {
    const req = newIssueRequest({ csr: key.csrPem, token: token.trim() });
    const res = await unary(client, target, nodeCaServiceDefinition.issueNodeCertificate, req, options);
    return checkGrant(res, rootCaPem, key.keyPem, options);
  } finally {
    client.close();
  }
}

/** The whole join: pin the root by the token, make a key and CSR here, get them certified. */
export async function joinSwarmPki(
  target: string,
  token: string,
  options: CaClientOptions = {},
): Promise<NodeCredentials> {
  const rootCaPem = await fetchPinnedRootCa(target, token, options);
  const key = await generateNodeKeyAndCsr();
  return requestNodeCertificate(target, rootCaPem, token, key, options);
}

/**
 * Renews `current` at the manager `target` over mutual TLS with a new key. The node ID stays;
 * the role may change (promotion, demotion). The caller swaps in the result.
 */
export async function renewNodeCertificate(
  target: string,
  current: NodeCredentials,
  options: CaClientOptions = {},
): Promise<NodeCredentials> {
  const key = await generateNodeKeyAndCsr();
  const creds = nodeChannelCredentials(current, clockOption(options));
  const client = new grpc.Client(target, creds, NODE_CHANNEL_OPTIONS);
  try {
    const req = newRenewRequest({ csr: key.csrPem });
    const res = await unary(client, target, nodeCaServiceDefinition.renewNodeCertificate, req, options);
    const renewed = checkGrant(res, current.rootCaPem, key.keyPem, options);
    if (renewed.nodeId !== current.nodeId || renewed.clusterId !== current.clusterId) {
      throw new InvalidCertificateError(
        `the renewed certificate names node ${renewed.nodeId} of cluster ${renewed.clusterId}, ` +
          `not ${current.nodeId} of ${current.clusterId}`,
      );
    }
    return renewed;
  } finally {
    client.close();
  }
}

function clockOption(options: CaClientOptions): { now?: () => Date } {
  return options.now ? { now: options.now } : {};
}

/**
 * Checks what the CA granted: the certificate chains to the roots the node trusts now (`trusted`:
 * the root it pinned when joining, its current bundle when renewing) and to the bundle the CA
 * answered with, which must keep trusting a root the node trusts now (the CA never moves a node
 * to roots unrelated to its own; a root rotation adds the next root beside the current one).
 */
function checkGrant(
  res: PbIssueResponse | PbRenewResponse,
  trusted: string,
  keyPem: string,
  options: CaClientOptions,
): NodeCredentials {
  const bundle = res.rootCaCertificate;
  const now = (options.now ?? (() => new Date()))();
  const trustedRoots = certificateBlocks(trusted, MAX_BUNDLE_CERTIFICATES);
  const answered = certificateBlocks(bundle, MAX_BUNDLE_CERTIFICATES);
  if (typeof answered === 'string') throw new InvalidCertificateError(`the CA's root bundle: ${answered}`);
  if (typeof trustedRoots === 'string' || !answered.some((a) => trustedRoots.some((t) => t.equals(a)))) {
    throw new InvalidCertificateError('the CA answered with roots unrelated to the root CA this node trusts');
  }
  verifyNodeCertificate(res.certificate, trusted, now);
  const info = verifyNodeCertificate(res.certificate, bundle, now);
  if (!certificateMatchesKey(res.certificate, keyPem)) {
    throw new InvalidCertificateError("the issued certificate is not for this node's key");
  }
  if (info.nodeId !== res.nodeId || info.role !== res.role || info.clusterId !== res.clusterId) {
    throw new InvalidCertificateError(
      `the certificate names ${info.role} ${info.nodeId} of ${info.clusterId}, ` +
        `but the CA announced ${res.role} ${res.nodeId} of ${res.clusterId}`,
    );
  }
  return {
    nodeId: info.nodeId,
    role: info.role,
    clusterId: info.clusterId,
    rootCaPem: bundle,
    certPem: res.certificate,
    keyPem,
  };
}

/**
 * The root the manager at `target` announces, WITHOUT verifying the manager: only to explain a
 * refusal (a node whose certificate no longer chains to the swarm's root), never to trust it.
 */
export async function fetchAnnouncedRoot(target: string, options: CaClientOptions = {}): Promise<string> {
  const client = new grpc.Client(target, bootstrapChannelCredentials(), NODE_CHANNEL_OPTIONS);
  try {
    const req = newGetRootRequest();
    return (await unary(client, target, nodeCaServiceDefinition.getRootCACertificate, req, options))
      .certificate;
  } finally {
    client.close();
  }
}

/** The swarm's roots as a manager reports them: the current root, and the next while rotating. */
export interface SwarmRoots {
  readonly root: string;
  readonly rotationRoot?: string;
}

/**
 * Asks the manager `target` for the swarm's roots, over the node's own mutual TLS (so the answer
 * comes from a manager of its swarm), to notice a root CA rotation.
 */
export async function fetchSwarmRoots(
  target: string,
  current: NodeCredentials,
  options: CaClientOptions = {},
): Promise<SwarmRoots> {
  const client = new grpc.Client(
    target,
    nodeChannelCredentials(current, clockOption(options)),
    NODE_CHANNEL_OPTIONS,
  );
  try {
    const res = await unary(
      client,
      target,
      nodeCaServiceDefinition.getRootCACertificate,
      newGetRootRequest(),
      options,
    );
    for (const [what, pem] of [
      ['root', res.certificate],
      ['rotation root', res.rotationCertificate],
    ] as const) {
      if (pem === '' && what === 'rotation root') continue;
      const blocks = certificateBlocks(pem, 1);
      if (typeof blocks === 'string') throw new InvalidCertificateError(`the swarm's ${what}: ${blocks}`);
    }
    return res.rotationCertificate === ''
      ? { root: res.certificate }
      : { root: res.certificate, rotationRoot: res.rotationCertificate };
  } finally {
    client.close();
  }
}

function unary<Req, Res>(
  client: grpc.Client,
  target: string,
  method: grpc.MethodDefinition<Req, Res>,
  request: Req,
  options: CaClientOptions,
): Promise<Res> {
  const name = method.path.slice(method.path.lastIndexOf('/') + 1);
  return new Promise<Res>((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      { deadline: Date.now() + (options.deadlineMs ?? DEFAULT_DEADLINE_MS) },
      (err: grpc.ServiceError | null, value?: Res) => {
        if (err) {
          const details = err.details || err.message;
          reject(new CaCallError(target, name, err.code, details, remoteErrorCode(err.metadata)));
        } else if (value === undefined)
          reject(new CaCallError(target, name, grpc.status.INTERNAL, 'empty answer'));
        else resolve(value);
      },
    );
  });
}
