// One compose service as the Docker ServiceSpec the docker CLI's `stack deploy` would send:
// container spec (image, command, env, mounts, secrets, configs, healthcheck, ...), networks
// with the service's name as an alias, endpoint, and the deploy section's parts.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type {
  DockerContainerSpec,
  DockerHealthConfig,
  DockerMount,
  DockerNetworkAttachmentConfig,
  DockerPortConfig,
  DockerServiceSpec,
  DockerTaskSpec,
} from '../client/types.js';
import type { NormalizedCompose } from './normalize.js';
import { IMAGE_LABEL, scoped, withNamespace } from './names.js';
import {
  TranslateError,
  bytes,
  duration,
  placement,
  resources,
  restartPolicy,
  serviceMode,
  updateConfig,
} from './translate-deploy.js';
import { isExternal, objectName } from './translate-objects.js';
import { bool, isObj, num, obj, str, strList, stringMap, type Obj } from './values.js';

export interface TranslateContext {
  readonly stack: string;
  readonly compose: NormalizedCompose;
  readonly workingDir: string;
  readonly lookup: (name: string) => string | undefined;
  readonly home: string;
  /** Secret and config names (in the swarm) to their IDs. */
  readonly secretIds: ReadonlyMap<string, string>;
  readonly configIds: ReadonlyMap<string, string>;
}

/** Keys of a compose service `stack deploy` has no use for (the docker CLI ignores them too). */
const UNSUPPORTED = [
  'build',
  'cgroup_parent',
  'container_name',
  'depends_on',
  'devices',
  'external_links',
  'links',
  'network_mode',
  'security_opt',
  'userns_mode',
  'privileged',
  'pid',
  'ipc',
  'shm_size',
  'cpu_shares',
  'cpu_quota',
  'mem_limit',
  'memswap_limit',
  'volumes_from',
];

export function unsupportedKeys(compose: NormalizedCompose): string[] {
  const found = new Set<string>();
  for (const svc of Object.values(compose.services))
    for (const k of UNSUPPORTED) if (svc[k] !== undefined) found.add(k);
  return [...found].sort();
}

function readEnvFile(ctx: TranslateContext, file: string, service: string): Record<string, string | null> {
  const path = isAbsolute(file) ? file : join(ctx.workingDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new TranslateError(`service ${service}: env_file ${file}: no such file`);
  }
  const out: Record<string, string | null> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) out[line] = null;
    else out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function environment(ctx: TranslateContext, svc: Obj, name: string): string[] | undefined {
  const merged: Record<string, string | null> = {};
  for (const f of strList(svc['env_file'])) Object.assign(merged, readEnvFile(ctx, f, name));
  Object.assign(merged, isObj(svc['environment']) ? svc['environment'] : {});
  const out: string[] = [];
  for (const [k, v] of Object.entries(merged)) {
    // A name without a value takes the deploying shell's value, or is left out.
    const value = v ?? ctx.lookup(k);
    if (value !== undefined && value !== null) out.push(`${k}=${value}`);
  }
  return out.length > 0 ? out.sort() : undefined;
}

function mounts(ctx: TranslateContext, svc: Obj, name: string): DockerMount[] | undefined {
  const list = Array.isArray(svc['volumes']) ? svc['volumes'] : [];
  const out = list.map((raw: unknown): DockerMount => {
    const v = obj(raw);
    const type = str(v['type']) ?? 'volume';
    const target = str(v['target']) ?? '';
    const m: DockerMount = { Type: type, Target: target };
    if (bool(v['read_only']) === true) m.ReadOnly = true;
    const source = str(v['source']);
    if (type === 'bind') {
      if (source === undefined)
        throw new TranslateError(`service ${name}: bind mount ${target} needs a source`);
      const expanded = source.startsWith('~') ? join(ctx.home, source.slice(1)) : source;
      m.Source = isAbsolute(expanded) ? expanded : join(ctx.workingDir, expanded);
      const prop = str(obj(v['bind'])['propagation']);
      if (prop !== undefined) m.BindOptions = { Propagation: prop };
    } else if (type === 'volume') {
      if (source !== undefined && source !== '') {
        const def = ctx.compose.volumes[source];
        if (def === undefined)
          throw new TranslateError(
            `service ${name} references volume ${JSON.stringify(source)}, which is not declared`,
          );
        m.Source = objectName(ctx.stack, source, def);
        if (!isExternal(def)) {
          const opts: NonNullable<DockerMount['VolumeOptions']> = {
            Labels: withNamespace(ctx.stack, stringMap(def['labels'])),
          };
          const driver = str(def['driver']);
          const driverOpts = stringMap(def['driver_opts']);
          if (driver !== undefined || Object.keys(driverOpts).length > 0)
            opts.DriverConfig = {
              ...(driver !== undefined ? { Name: driver } : {}),
              ...(Object.keys(driverOpts).length > 0 ? { Options: driverOpts } : {}),
            };
          if (bool(obj(v['volume'])['nocopy']) === true) opts.NoCopy = true;
          m.VolumeOptions = opts;
        }
      }
    } else if (type === 'tmpfs') {
      const size = bytes(obj(v['tmpfs'])['size'], `service ${name}: tmpfs size`);
      if (size !== undefined) m.TmpfsOptions = { SizeBytes: size };
    } else {
      throw new TranslateError(`service ${name}: volume type ${type} is not supported by stacks`);
    }
    return m;
  });
  return out.length > 0 ? out : undefined;
}

function fileRefs(ctx: TranslateContext, svc: Obj, kind: 'secret' | 'config') {
  const list = Array.isArray(svc[`${kind}s`]) ? (svc[`${kind}s`] as unknown[]) : [];
  const defs = kind === 'secret' ? ctx.compose.secrets : ctx.compose.configs;
  const ids = kind === 'secret' ? ctx.secretIds : ctx.configIds;
  return list.map((raw) => {
    const r = obj(raw);
    const source = str(r['source']) ?? '';
    const swarmName = objectName(ctx.stack, source, defs[source]);
    const id = ids.get(swarmName) ?? '';
    const target = str(r['target']) ?? (kind === 'secret' ? source : `/${source}`);
    const file = {
      Name: target,
      UID: str(r['uid']) ?? '0',
      GID: str(r['gid']) ?? '0',
      Mode: num(r['mode']) ?? 0o444,
    };
    return { file, swarmName, id };
  });
}

function healthcheck(svc: Obj, name: string): DockerHealthConfig | undefined {
  if (!isObj(svc['healthcheck'])) return undefined;
  const h = svc['healthcheck'];
  if (bool(h['disable']) === true) return { Test: ['NONE'] };
  const out: DockerHealthConfig = {};
  const test = strList(h['test']);
  if (test.length > 0) out.Test = test;
  const what = `service ${name}: healthcheck`;
  const set = (k: 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval', v: unknown): void => {
    const d = duration(v, what);
    if (d !== undefined) out[k] = d;
  };
  set('Interval', h['interval']);
  set('Timeout', h['timeout']);
  set('StartPeriod', h['start_period']);
  set('StartInterval', h['start_interval']);
  const retries = num(h['retries']);
  if (retries !== undefined) out.Retries = retries;
  return out;
}

function hosts(svc: Obj): string[] | undefined {
  // compose "host:ip" (or "host=ip") is Docker's "ip host"
  const out = strList(svc['extra_hosts']).map((h) => {
    const i = h.search(/[=:]/);
    return i < 0 ? h : `${h.slice(i + 1)} ${h.slice(0, i)}`;
  });
  return out.length > 0 ? out : undefined;
}

function ports(svc: Obj): DockerPortConfig[] | undefined {
  const list = Array.isArray(svc['ports']) ? svc['ports'] : [];
  const out = list.map((raw: unknown): DockerPortConfig => {
    const p = obj(raw);
    const port: DockerPortConfig = {
      Protocol: str(p['protocol']) ?? 'tcp',
      TargetPort: num(p['target']) ?? 0,
      PublishMode: str(p['mode']) ?? 'ingress',
    };
    const published = num(p['published']);
    if (published !== undefined) port.PublishedPort = published;
    return port;
  });
  return out.length > 0 ? out : undefined;
}

function networks(ctx: TranslateContext, svc: Obj, name: string): DockerNetworkAttachmentConfig[] {
  const nets = obj(svc['networks']);
  const keys = Object.keys(nets).length > 0 ? Object.keys(nets) : ['default'];
  return keys
    .map((key): DockerNetworkAttachmentConfig => {
      const cfg = obj(nets[key]);
      const out: DockerNetworkAttachmentConfig = {
        Target: objectName(ctx.stack, key, ctx.compose.networks[key]),
        Aliases: [...strList(cfg['aliases']), name],
      };
      const opts = stringMap(cfg['driver_opts']);
      if (Object.keys(opts).length > 0) out.DriverOpts = opts;
      return out;
    })
    .sort((a, b) => ((a.Target ?? '') < (b.Target ?? '') ? -1 : 1));
}

function containerSpec(ctx: TranslateContext, svc: Obj, name: string, image: string): DockerContainerSpec {
  const c: DockerContainerSpec = {
    Image: image,
    Labels: withNamespace(ctx.stack, stringMap(svc['labels'])),
  };
  const entrypoint = svc['entrypoint'];
  if (Array.isArray(entrypoint)) c.Command = strList(entrypoint);
  const command = svc['command'];
  if (Array.isArray(command)) c.Args = strList(command);
  const text = (k: 'Hostname' | 'Dir' | 'User' | 'StopSignal' | 'Isolation', v: unknown): void => {
    const s = str(v);
    if (s !== undefined) c[k] = s;
  };
  text('Hostname', svc['hostname']);
  text('Dir', svc['working_dir']);
  text('User', svc['user']);
  text('StopSignal', svc['stop_signal']);
  text('Isolation', svc['isolation']);
  const env = environment(ctx, svc, name);
  if (env !== undefined) c.Env = env;
  const groups = strList(svc['group_add']);
  if (groups.length > 0) c.Groups = groups;
  const flag = (k: 'Init' | 'TTY' | 'OpenStdin' | 'ReadOnly', v: unknown): void => {
    const b = bool(v);
    if (b !== undefined) c[k] = b;
  };
  flag('Init', svc['init']);
  flag('TTY', svc['tty']);
  flag('OpenStdin', svc['stdin_open']);
  flag('ReadOnly', svc['read_only']);
  const m = mounts(ctx, svc, name);
  if (m !== undefined) c.Mounts = m;
  const grace = duration(svc['stop_grace_period'], `service ${name}: stop_grace_period`);
  if (grace !== undefined) c.StopGracePeriod = grace;
  const hc = healthcheck(svc, name);
  if (hc !== undefined) c.Healthcheck = hc;
  const h = hosts(svc);
  if (h !== undefined) c.Hosts = h;
  const dns = strList(svc['dns']);
  const search = strList(svc['dns_search']);
  const dnsOpts = strList(svc['dns_opt']);
  if (dns.length + search.length + dnsOpts.length > 0) {
    c.DNSConfig = {
      ...(dns.length > 0 ? { Nameservers: dns } : {}),
      ...(search.length > 0 ? { Search: search } : {}),
      ...(dnsOpts.length > 0 ? { Options: dnsOpts } : {}),
    };
  }
  const secrets = fileRefs(ctx, svc, 'secret');
  if (secrets.length > 0)
    c.Secrets = secrets.map((s) => ({ File: s.file, SecretID: s.id, SecretName: s.swarmName }));
  const configs = fileRefs(ctx, svc, 'config');
  if (configs.length > 0)
    c.Configs = configs.map((s) => ({ File: s.file, ConfigID: s.id, ConfigName: s.swarmName }));
  const sysctls = stringMap(svc['sysctls']);
  if (Object.keys(sysctls).length > 0) c.Sysctls = sysctls;
  const capAdd = strList(svc['cap_add']);
  if (capAdd.length > 0) c.CapabilityAdd = capAdd;
  const capDrop = strList(svc['cap_drop']);
  if (capDrop.length > 0) c.CapabilityDrop = capDrop;
  const ulimits = Object.entries(obj(svc['ulimits'])).sort(([a], [b]) => (a < b ? -1 : 1));
  if (ulimits.length > 0)
    c.Ulimits = ulimits.map(([n, u]) => ({
      Name: n,
      Soft: num(obj(u)['soft']) ?? 0,
      Hard: num(obj(u)['hard']) ?? 0,
    }));
  return c;
}

export function translateService(ctx: TranslateContext, name: string): DockerServiceSpec {
  const svc = ctx.compose.services[name];
  if (svc === undefined) throw new TranslateError(`no service ${name}`);
  const image = str(svc['image']);
  if (image === undefined || image === '')
    throw new TranslateError(`service ${name}: an image is needed (stacks do not build)`);
  const deploy = obj(svc['deploy']);
  const task: DockerTaskSpec = {
    ContainerSpec: containerSpec(ctx, svc, name, image),
    Networks: networks(ctx, svc, name),
  };
  const res = resources(deploy, name);
  if (res !== undefined) task.Resources = res;
  const restart = restartPolicy(svc, name);
  if (restart !== undefined) task.RestartPolicy = restart;
  const place = placement(deploy);
  if (place !== undefined) task.Placement = place;
  if (isObj(svc['logging'])) {
    const driver = str(svc['logging']['driver']);
    const options = stringMap(svc['logging']['options']);
    if (driver !== undefined || Object.keys(options).length > 0)
      task.LogDriver = {
        ...(driver !== undefined ? { Name: driver } : {}),
        ...(Object.keys(options).length > 0 ? { Options: options } : {}),
      };
  }
  const spec: DockerServiceSpec = {
    Name: scoped(ctx.stack, name),
    Labels: { ...withNamespace(ctx.stack, stringMap(deploy['labels'])), [IMAGE_LABEL]: image },
    TaskTemplate: task,
    Mode: serviceMode(deploy, name),
  };
  const update = updateConfig(deploy['update_config'], `service ${name}: update_config`);
  if (update !== undefined) spec.UpdateConfig = update;
  const rollback = updateConfig(deploy['rollback_config'], `service ${name}: rollback_config`);
  if (rollback !== undefined) spec.RollbackConfig = rollback;
  const endpointMode = str(deploy['endpoint_mode']);
  const p = ports(svc);
  if (endpointMode !== undefined || p !== undefined)
    spec.EndpointSpec = {
      ...(endpointMode !== undefined ? { Mode: endpointMode } : {}),
      ...(p !== undefined ? { Ports: p } : {}),
    };
  return spec;
}
