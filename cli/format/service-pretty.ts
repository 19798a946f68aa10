// `service inspect --pretty`: the docker CLI's template, whitespace and all.
import type { DockerService, DockerUpdateConfig } from '../client/types.js';
import { bytesSize } from './byte-units.js';
import { formatGoDuration } from './go-duration.js';
import { humanDuration } from './human-duration.js';

function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

function updateBlock(title: string, orderLabel: string, c: DockerUpdateConfig): string {
  let out = `\n${title}:\n Parallelism:\t${c.Parallelism ?? 0}`;
  if ((c.Delay ?? 0) > 0) out += `\n Delay:\t\t${formatGoDuration(c.Delay ?? 0)}`;
  out += `\n On failure:\t${c.FailureAction ?? ''}`;
  if ((c.Monitor ?? 0) > 0) out += `\n Monitoring Period: ${formatGoDuration(c.Monitor ?? 0)}`;
  out += `\n Max failure ratio: ${c.MaxFailureRatio ?? 0}`;
  out += `\n ${orderLabel}${c.Order ?? ''}`;
  return out;
}

/** `networkNames` maps network IDs to names; unresolved targets print as given. */
export function formatServicePretty(
  service: DockerService,
  nowMs: number,
  networkNames: ReadonlyMap<string, string> = new Map(),
): string {
  const spec = service.Spec;
  const tt = spec.TaskTemplate ?? {};
  const cs = tt.ContainerSpec ?? { Image: '' };
  let out = `\nID:\t\t${service.ID}\nName:\t\t${spec.Name ?? ''}`;
  const labels = spec.Labels ?? {};
  if (Object.keys(labels).length > 0) {
    out += '\nLabels:';
    for (const k of Object.keys(labels).sort()) {
      const v = labels[k] ?? '';
      out += `\n ${k}${v !== '' ? `=${v}` : ''}`;
    }
  }
  out += '\nService Mode:';
  const mode = spec.Mode ?? {};
  if (mode.Global !== undefined) out += '\tGlobal';
  else if (mode.Replicated !== undefined) {
    out += '\tReplicated';
    if (mode.Replicated.Replicas !== undefined) out += `\n Replicas:\t${mode.Replicated.Replicas}`;
  }
  const us = service.UpdateStatus;
  if (us !== undefined && (us.State ?? '') !== '') {
    out += `\nUpdateStatus:\n State:\t\t${us.State ?? ''}`;
    if (us.StartedAt !== undefined) {
      out += `\n Started:\t${humanDuration(nowMs - Date.parse(us.StartedAt))} ago`;
    }
    if (us.State === 'completed' && us.CompletedAt !== undefined) {
      out += `\n Completed:\t${humanDuration(nowMs - Date.parse(us.CompletedAt))} ago`;
    }
    out += `\n Message:\t${us.Message ?? ''}`;
  }
  out += '\nPlacement:';
  const placement = tt.Placement;
  if (placement?.Constraints !== undefined && placement.Constraints.length > 0) {
    out += `\n Constraints:\t${goList(placement.Constraints)}`;
  }
  const prefs = (placement?.Preferences ?? []).map((p) => `spread=${p.Spread?.SpreadDescriptor ?? ''}`);
  if (prefs.length > 0) out += `\n Preferences:   ${goList(prefs)}`;
  if ((placement?.MaxReplicas ?? 0) > 0) {
    out += `\n Max Replicas Per Node:   ${placement?.MaxReplicas ?? 0}`;
  }
  if (spec.UpdateConfig !== undefined) {
    out += updateBlock('UpdateConfig', 'Update order:      ', spec.UpdateConfig);
  }
  if (spec.RollbackConfig !== undefined) {
    out += updateBlock('RollbackConfig', 'Rollback order:    ', spec.RollbackConfig);
  }
  out += `\nContainerSpec:\n Image:\t\t${cs.Image ?? ''}`;
  if ((cs.Args ?? []).length > 0) out += `\n Args:\t\t${(cs.Args ?? []).map((a) => `${a} `).join('')}`;
  if ((cs.Env ?? []).length > 0) out += `\n Env:\t\t${(cs.Env ?? []).map((e) => `${e} `).join('')}`;
  if ((cs.Dir ?? '') !== '') out += `\n Dir:\t\t${cs.Dir ?? ''}`;
  if (cs.Init !== undefined) out += `\n Init:\t\t${String(cs.Init)}`;
  if ((cs.User ?? '') !== '') out += `\n User: ${cs.User ?? ''}`;
  const mounts = cs.Mounts ?? [];
  if (mounts.length > 0) out += '\nMounts:';
  for (const m of mounts) {
    out += `\n Target:\t${m.Target ?? ''}\n  Source:\t${m.Source ?? ''}`;
    out += `\n  ReadOnly:\t${String(m.ReadOnly ?? false)}\n  Type:\t\t${m.Type ?? ''}`;
  }
  // Docker lists configs before secrets, each by its file target and the object's name. A
  // reference without a file target (a runtime config) has no target to show.
  const configs = cs.Configs ?? [];
  if (configs.length > 0) out += '\nConfigs:';
  for (const c of configs) out += `\n Target:\t${c.File?.Name ?? ''}\n  Source:\t${c.ConfigName ?? ''}`;
  const secrets = cs.Secrets ?? [];
  if (secrets.length > 0) out += '\nSecrets:';
  for (const s of secrets) out += `\n Target:\t${s.File?.Name ?? ''}\n  Source:\t${s.SecretName ?? ''}`;
  if (tt.LogDriver !== undefined) {
    out += '\nLog Driver:';
    if ((tt.LogDriver.Name ?? '') !== '') out += `\n Name:\t\t${tt.LogDriver.Name ?? ''}`;
    const opts = tt.LogDriver.Options ?? {};
    if (Object.keys(opts).length > 0) {
      out += '\n LogOpts:';
      for (const k of Object.keys(opts).sort()) {
        const v = opts[k] ?? '';
        out += `\n  ${k}${v !== '' ? `:       ${v}` : ''}`;
      }
    }
    out += '\n';
  }
  const res = tt.Resources;
  if (res !== undefined) {
    out += '\nResources:';
    const r = res.Reservations;
    if (r !== undefined && ((r.NanoCPUs ?? 0) > 0 || (r.MemoryBytes ?? 0) > 0)) {
      out += '\n Reservations:';
      if ((r.NanoCPUs ?? 0) > 0) out += `\n  CPU:\t\t${(r.NanoCPUs ?? 0) / 1e9}`;
      if ((r.MemoryBytes ?? 0) > 0) out += `\n  Memory:\t${bytesSize(r.MemoryBytes ?? 0)}`;
    }
    const l = res.Limits;
    if (l !== undefined && ((l.NanoCPUs ?? 0) > 0 || (l.MemoryBytes ?? 0) > 0 || (l.Pids ?? 0) > 0)) {
      out += '\n Limits:';
      if ((l.NanoCPUs ?? 0) > 0) out += `\n  CPU:\t\t${(l.NanoCPUs ?? 0) / 1e9}`;
      if ((l.MemoryBytes ?? 0) > 0) out += `\n  Memory:\t${bytesSize(l.MemoryBytes ?? 0)}`;
    }
  }
  if ((res?.Limits?.Pids ?? 0) > 0) out += `\n  PIDs:\t\t${res?.Limits?.Pids ?? 0}`;
  const networks = tt.Networks ?? [];
  if (networks.length > 0) {
    out += `\nNetworks:${networks.map((n) => ` ${(n.Target === undefined ? undefined : networkNames.get(n.Target)) ?? n.Target ?? ''}`).join('')} `;
  }
  out += `\nEndpoint Mode:\t${spec.EndpointSpec?.Mode ?? ''}`;
  const ports = service.Endpoint?.Ports ?? [];
  if (ports.length > 0) {
    out += '\nPorts:';
    for (const p of ports) {
      out += `\n PublishedPort = ${p.PublishedPort ?? 0}\n  Protocol = ${p.Protocol ?? ''}`;
      out += `\n  TargetPort = ${p.TargetPort}\n  PublishMode = ${p.PublishMode ?? ''}`;
    }
    out += ' ';
  }
  const hc = cs.Healthcheck;
  if (hc !== undefined) {
    out += `\n Healthcheck:\n  Interval = ${formatGoDuration(hc.Interval ?? 0)}`;
    out += `\n  Retries = ${hc.Retries ?? 0}\n  StartPeriod =\t${formatGoDuration(hc.StartPeriod ?? 0)}`;
    out += `\n  Timeout =\t${formatGoDuration(hc.Timeout ?? 0)}`;
    if ((hc.Test ?? []).length > 0) {
      out += '\n  Tests:';
      for (const t of hc.Test ?? []) out += `\n\t Test = ${t}`;
      out += ' ';
    }
  }
  // The template ends with a newline and the formatter adds one after each service.
  return `${out}\n\n`;
}
