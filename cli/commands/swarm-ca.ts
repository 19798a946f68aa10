// `shoal swarm ca [--rotate [--ca-cert F --ca-key F] [-d] [-q]]`, as docker's: without flags it
// prints the root CA certificate; with --rotate it asks for a new root (generated: ForceRotate
// goes up; or the given pair), then, unless detached, shows how many nodes hold a certificate of
// the new root and trust it (Description.TLSInfo against ClusterInfo.TLSInfo) until the rotation
// is done, and prints the new root.

import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import type { DockerNode, DockerSwarm } from '../client/types.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { parseDuration } from './service-spec/flag-values.js';

interface CaFlags {
  rotate?: boolean;
  caCert?: string;
  caKey?: string;
  certExpiry?: string;
  externalCa?: string;
  detach?: boolean;
  quiet?: boolean;
}

/** The figures docker's progress shows: nodes on the desired issuer, nodes trusting the desired root. */
export interface RotationCounts {
  readonly certs: number;
  readonly roots: number;
  readonly total: number;
  readonly done: boolean;
}

export function rotationCounts(swarm: DockerSwarm, nodes: readonly DockerNode[]): RotationCounts {
  const want = swarm.TLSInfo;
  let certs = 0;
  let roots = 0;
  for (const n of nodes) {
    const tls = n.Description?.TLSInfo;
    if (tls === undefined || want === undefined) continue;
    if (
      tls.CertIssuerSubject === want.CertIssuerSubject &&
      tls.CertIssuerPublicKey === want.CertIssuerPublicKey
    )
      certs++;
    if (tls.TrustRoot === want.TrustRoot) roots++;
  }
  const total = nodes.length;
  const inProgress = swarm.RootRotationInProgress === true;
  // Like docker: trust roots count only once every certificate is rotated and the rotation ended.
  const rootsShown = certs === total && !inProgress ? roots : 0;
  return { certs, roots: rootsShown, total, done: certs === total && !inProgress && roots === total };
}

function trustRootOf(swarm: DockerSwarm): string {
  const root = swarm.TLSInfo?.TrustRoot ?? '';
  if (root === '') throw new CliError('No CA information available', 'NO_CA_INFO');
  return `${root.trim()}\n`;
}

async function readPem(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new CliError(
      `invalid argument "${path}" for "--${flag}" flag: ${e instanceof Error ? e.message : String(e)}`,
      'FLAG_VALUE',
    );
  }
}

export function registerSwarmCa(swarm: Command, ctx: CliContext): void {
  swarm
    .command('ca')
    .description('Display and rotate the root CA')
    .option(
      '--rotate',
      'Rotate the swarm CA - if no certificate or key are provided, new ones will be generated',
    )
    .option(
      '--ca-cert <pem-file>',
      'Path to the PEM-formatted root CA certificate to use for the new cluster',
    )
    .option('--ca-key <pem-file>', 'Path to the PEM-formatted root CA key to use for the new cluster')
    .option(
      '--cert-expiry <duration>',
      'Validity period for node certificates (ns|us|ms|s|m|h) (default 2160h0m0s)',
    )
    .option('--external-ca <external-ca>', 'Specifications of one or more certificate signing endpoints')
    .option('-d, --detach', 'Exit immediately instead of waiting for the root rotation to converge')
    .option('-q, --quiet', 'Suppress progress output')
    .action(async (opts: CaFlags) => {
      const api = ctx.api();
      const current = await api.swarmInspect();
      if (opts.rotate !== true) {
        for (const [flag, v] of [
          ['ca-cert', opts.caCert],
          ['ca-key', opts.caKey],
          ['cert-expiry', opts.certExpiry],
          ['external-ca', opts.externalCa],
        ] as const) {
          if (v !== undefined) {
            throw new CliError(
              `\`--${flag}\` flag requires the \`--rotate\` flag to update the CA`,
              'FLAG_VALUE',
            );
          }
        }
        ctx.io.out(trustRootOf(current));
        return;
      }
      if (opts.externalCa !== undefined) {
        throw new CliError(
          'rotating to an external CA is not supported: give the new root with --ca-cert and --ca-key, or none to generate one',
          'EXTERNAL_CA',
        );
      }
      if (opts.caCert !== undefined && opts.caKey === undefined) {
        throw new CliError(
          'the --ca-cert flag requires that a --ca-key flag and/or --external-ca flag be provided as well',
          'FLAG_VALUE',
        );
      }
      const cert = opts.caCert === undefined ? '' : await readPem('ca-cert', opts.caCert);
      const key = opts.caKey === undefined ? '' : await readPem('ca-key', opts.caKey);
      const spec = structuredClone(current.Spec);
      spec.CAConfig = { ...(spec.CAConfig ?? {}), SigningCACert: cert, SigningCAKey: key };
      if (opts.certExpiry !== undefined)
        spec.CAConfig.NodeCertExpiry = parseDuration('cert-expiry', opts.certExpiry);
      if (cert === '' && key === '') spec.CAConfig.ForceRotate = (spec.CAConfig.ForceRotate ?? 0) + 1;
      await api.swarmUpdate(current.Version.Index, spec, {
        rotateWorkerToken: false,
        rotateManagerToken: false,
        rotateManagerUnlockKey: false,
      });
      if (opts.detach === true) return;
      await waitForRotation(ctx, opts.quiet === true);
      ctx.io.out(trustRootOf(await api.swarmInspect()));
    });
}

/** Polls the swarm and its nodes until the rotation converged (or SIGINT), printing progress lines. */
async function waitForRotation(ctx: CliContext, quiet: boolean): Promise<void> {
  const api = ctx.api();
  let last = '';
  for (;;) {
    const swarm = await api.swarmInspect();
    const nodes = await api.nodeList();
    const c = rotationCounts(swarm, nodes);
    const digest = `sha256:${createHash('sha256')
      .update(swarm.TLSInfo?.TrustRoot ?? '')
      .digest('hex')}`;
    const line =
      `desired root digest: ${digest}\n` +
      `  rotated TLS certificates: ${c.certs}/${c.total} nodes\n` +
      `  rotated CA certificates:  ${c.roots}/${c.total} nodes\n`;
    if (!quiet && line !== last) ctx.io.out(line);
    last = line;
    if (c.done) return;
    if (ctx.interrupt.aborted) {
      if (!quiet) ctx.io.out('Operation continuing in background.\n');
      return;
    }
    await ctx.clock.sleep(500, ctx.interrupt);
  }
}
