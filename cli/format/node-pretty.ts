// `node inspect --pretty`: the docker CLI's template, tabs and all.
import type { DockerNode } from '../client/types.js';
import { bytesSize } from './byte-units.js';
import { goTimeString, prettyPrint } from './pretty-print.js';

function labelLines(labels: Readonly<Record<string, string>> | undefined): string {
  if (labels === undefined) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => {
      const v = labels[k] ?? '';
      return `\n - ${k}${v !== '' ? `=${v}` : ''}`;
    })
    .join('');
}

export function formatNodePretty(node: DockerNode): string {
  const d = node.Description ?? {};
  let out = `ID:\t\t\t${node.ID}`;
  if ((node.Spec.Name ?? '') !== '') out += `\nName:\t\t\t${node.Spec.Name ?? ''}`;
  if (node.Spec.Labels !== undefined && Object.keys(node.Spec.Labels).length > 0) {
    out += `\nLabels:${labelLines(node.Spec.Labels)}`;
  }
  out += `\nHostname:              \t${d.Hostname ?? ''}`;
  out += `\nJoined at:             \t${prettyPrint(goTimeString(node.CreatedAt))}`;
  out += `\nStatus:\n State:\t\t\t${prettyPrint(node.Status.State)}`;
  if ((node.Status.Message ?? '') !== '') {
    out += `\n Message:              \t${prettyPrint(node.Status.Message)}`;
  }
  out += `\n Availability:         \t${prettyPrint(node.Spec.Availability)}`;
  if ((node.Status.Addr ?? '') !== '') out += `\n Address:\t\t${node.Status.Addr ?? ''}`;
  if (node.ManagerStatus !== undefined) {
    out += `\nManager Status:\n Address:\t\t${node.ManagerStatus.Addr}`;
    out += `\n Raft Status:\t\t${prettyPrint(node.ManagerStatus.Reachability)}`;
    out += `\n Leader:\t\t${node.ManagerStatus.Leader === true ? 'Yes' : 'No'}`;
  }
  out += `\nPlatform:\n Operating System:\t${d.Platform?.OS ?? ''}`;
  out += `\n Architecture:\t\t${d.Platform?.Architecture ?? ''}`;
  const nano = d.Resources?.NanoCPUs ?? 0;
  const mem = d.Resources?.MemoryBytes ?? 0;
  out += `\nResources:\n CPUs:\t\t\t${Math.trunc(nano / 1e9)}`;
  out += `\n Memory:\t\t${mem === 0 ? '' : bytesSize(mem)}`;
  const plugins = d.Engine?.Plugins ?? [];
  if (plugins.length > 0) {
    const byType = new Map<string, string[]>();
    for (const p of plugins) byType.set(p.Type, [...(byType.get(p.Type) ?? []), p.Name]);
    out += '\nPlugins:';
    for (const type of [...byType.keys()].sort()) {
      const names = (byType.get(type) ?? []).join(', ');
      out += `\n ${type}:${names !== '' ? `\t\t${names}` : ''}`;
    }
  }
  out += `\nEngine Version:\t\t${d.Engine?.EngineVersion ?? ''}`;
  const engineLabels = d.Engine?.Labels;
  if (engineLabels !== undefined && Object.keys(engineLabels).length > 0) {
    out += `\nEngine Labels:${labelLines(engineLabels)}`;
  }
  const tls = d.TLSInfo;
  if (
    tls !== undefined &&
    ((tls.TrustRoot ?? '') !== '' ||
      (tls.CertIssuerSubject ?? '') !== '' ||
      (tls.CertIssuerPublicKey ?? '') !== '')
  ) {
    out += `\nTLS Info:\n TrustRoot:\n${tls.TrustRoot ?? ''}`;
    out += `\n Issuer Subject:\t${tls.CertIssuerSubject ?? ''}`;
    out += `\n Issuer Public Key:\t${tls.CertIssuerPublicKey ?? ''}`;
  }
  return `${out}\n`;
}
