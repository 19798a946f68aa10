// What swarmkit's control API checks in a service spec before storing it, with its messages
// (Docker relays them as "rpc error: code = InvalidArgument desc = ..."), plus the checks
// against other objects: published-port conflicts, secrets and configs that must exist.

import type { ReadTx, ServiceSpec, UpdateConfig } from '../store/index.js';
import { invalidParameter, rpcMessage } from './errors.js';

function invalid(desc: string): Error {
  return invalidParameter(rpcMessage('InvalidArgument', desc));
}

const DNS_LABEL = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

export function validateName(name: string): void {
  if (name === '') throw invalid('meta: name must be provided');
  if (!DNS_LABEL.test(name)) throw invalid('name must be valid as a DNS name component');
  if (name.length > 63) throw invalid('name must be 63 characters or fewer');
}

// The image reference grammar of distribution/reference (domain, path, tag, digest).
const DOMAIN = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`;
const REFERENCE = new RegExp(
  String.raw`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function isValidImageReference(image: string): boolean {
  return image.length <= 255 + 128 + 80 && REFERENCE.test(image);
}

/** Go's %g for the small CPU values in the resource message. */
function formatG(n: number): string {
  return String(Number(n.toPrecision(6)));
}

function checkResources(r: { nanoCPUs: number; memoryBytes: number } | undefined): void {
  if (r === undefined) return;
  if (r.nanoCPUs !== 0 && r.nanoCPUs < 1e6) {
    throw invalid(`invalid cpu value ${formatG(r.nanoCPUs / 1e9)}: Must be at least ${formatG(1e6 / 1e9)}`);
  }
  if (r.memoryBytes !== 0 && r.memoryBytes < 4 * 1024 * 1024) {
    throw invalid(`invalid memory value ${r.memoryBytes}: Must be at least 4MiB`);
  }
}

function checkUpdate(u: UpdateConfig | undefined, what: 'update' | 'rollback'): void {
  if (u === undefined) return;
  if (u.delay < 0) throw invalid(`TaskSpec: ${what}-delay cannot be negative`);
  if (u.monitor < 0) throw invalid(`TaskSpec: ${what}-monitor cannot be negative`);
  if (u.maxFailureRatio < 0 || u.maxFailureRatio > 1) {
    throw invalid(`TaskSpec: ${what}-maxfailureratio cannot be less than 0 or bigger than 1`);
  }
}

const CONSTRAINT = /^\s*([a-zA-Z0-9_.\-]+)\s*(==|!=)\s*(.*?)\s*$/;

export function checkConstraint(expr: string): void {
  const m = CONSTRAINT.exec(expr);
  if (m === null || m[3] === '' || /[=!]=/.test(m[3]!)) {
    throw invalid(`constraint expected one operator from ==, !=`);
  }
}

/** swarmkit's validateServiceSpec. */
export function validateServiceSpec(spec: ServiceSpec): void {
  validateName(spec.name);
  const task = spec.taskTemplate;
  checkResources(task.resources.limits);
  checkResources(task.resources.reservations);
  if (task.restartPolicy.delay < 0) throw invalid('TaskSpec: restart-delay cannot be negative');
  if (task.restartPolicy.window < 0) throw invalid('TaskSpec: restart-window cannot be negative');
  for (const c of task.placement.constraints) checkConstraint(c);
  const container = task.containerSpec;
  if (container.image === '') throw invalid('ContainerSpec: image reference must be provided');
  if (!isValidImageReference(container.image)) {
    throw invalid(`ContainerSpec: ${JSON.stringify(container.image)} is not a valid repository/tag`);
  }
  const targets = new Set<string>();
  for (const m of container.mounts) {
    if (targets.has(m.target)) throw invalid(`ContainerSpec: duplicate mount point: ${m.target}`);
    targets.add(m.target);
  }
  if (container.stopGracePeriod !== undefined && container.stopGracePeriod < 0) {
    throw invalid('ContainerSpec: stop-grace-period cannot be negative');
  }
  checkUpdate(spec.updateConfig, 'update');
  checkUpdate(spec.rollbackConfig, 'rollback');
  const endpoint = spec.endpointSpec;
  if (endpoint !== undefined) {
    const seen = new Set<string>();
    for (const p of endpoint.ports) {
      if (endpoint.mode === 'dnsrr' && p.publishMode === 'ingress') {
        throw invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
      }
      if (p.publishedPort === 0) continue;
      const key = `${p.publishedPort}/${p.protocol}`;
      if (seen.has(key)) throw invalid('EndpointSpec: duplicate published ports provided');
      seen.add(key);
    }
  }
}

/** Published ports already taken by other services (swarmkit's checkPortConflicts). */
export function checkPortConflicts(tx: ReadTx, spec: ServiceSpec, selfId?: string): void {
  const wanted = (spec.endpointSpec?.ports ?? []).filter((p) => p.publishedPort !== 0);
  if (wanted.length === 0) return;
  for (const other of tx.list('services')) {
    if (other.id === selfId) continue;
    const taken = [...(other.spec.endpointSpec?.ports ?? []), ...(other.endpoint?.ports ?? [])];
    for (const p of wanted) {
      const clash = taken.find((t) => t.publishedPort === p.publishedPort && t.protocol === p.protocol);
      if (clash === undefined) continue;
      if (p.publishMode === 'host' && clash.publishMode === 'host') continue;
      const as = p.publishMode === 'host' ? 'a host-published port' : 'an ingress port';
      throw invalid(
        `port '${p.publishedPort}' is already in use by service '${other.spec.name}' (${other.id}) as ${as}`,
      );
    }
  }
}

/** Secrets and configs a spec references must exist under the names it gives. */
export function checkReferences(tx: ReadTx, spec: ServiceSpec): void {
  const c = spec.taskTemplate.containerSpec;
  const badSecrets = c.secrets
    .filter((r) => tx.get('secrets', r.secretId)?.spec.name !== r.secretName)
    .map((r) => r.secretName);
  if (badSecrets.length > 0) {
    throw invalid(`${badSecrets.length === 1 ? 'secret' : 'secrets'} not found: ${badSecrets.join(', ')}`);
  }
  const badConfigs = c.configs
    .filter((r) => tx.get('configs', r.configId)?.spec.name !== r.configName)
    .map((r) => r.configName);
  if (badConfigs.length > 0) {
    throw invalid(`${badConfigs.length === 1 ? 'config' : 'configs'} not found: ${badConfigs.join(', ')}`);
  }
}
