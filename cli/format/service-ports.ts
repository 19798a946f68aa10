// The PORTS column of `service ls`: ingress-published ports, consecutive ones grouped into
// ranges ("*:8080-8081->80-81/tcp"), exactly as the docker CLI groups them.
import type { DockerPortConfig } from '../client/types.js';

interface Range {
  pStart: number;
  pEnd: number;
  tStart: number;
  tEnd: number;
  protocol: string;
}

function show(r: Range): string {
  const pub = r.pEnd > r.pStart ? `${r.pStart}-${r.pEnd}` : String(r.pStart);
  const tgt = r.tEnd > r.tStart ? `${r.tStart}-${r.tEnd}` : String(r.tStart);
  return `*:${pub}->${tgt}/${r.protocol}`;
}

/** Go's unsigned a-b > 1: true also when b > a (the subtraction wraps). */
function gapAboveOne(a: number, b: number): boolean {
  return a < b || a - b > 1;
}

export function formatServicePorts(ports: readonly DockerPortConfig[] | undefined): string {
  if (ports === undefined) return '';
  const sorted = [...ports].sort((a, b) => {
    const pa = a.Protocol ?? '';
    const pb = b.Protocol ?? '';
    if (pa === pb) return (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0);
    return pa < pb ? -1 : 1;
  });
  const out: string[] = [];
  let r: Range = { pStart: 0, pEnd: 0, tStart: 0, tEnd: 0, protocol: '' };
  for (const p of sorted) {
    if (p.PublishMode !== 'ingress') continue;
    const published = p.PublishedPort ?? 0;
    const protocol = p.Protocol ?? '';
    const target = p.TargetPort ?? 0;
    const isRange = r.tEnd !== r.tStart;
    const overlaps = target <= r.tEnd;
    if (
      protocol !== r.protocol ||
      gapAboveOne(published, r.pEnd) ||
      gapAboveOne(target, r.tEnd) ||
      (isRange && overlaps)
    ) {
      if (r.pStart > 0) out.push(show(r));
      r = { pStart: published, pEnd: published, tStart: target, tEnd: target, protocol };
      continue;
    }
    r.pEnd = published;
    r.tEnd = target;
  }
  if (r.pStart > 0) out.push(show(r));
  return out.join(', ');
}

/** Task PORTS column: host-mode ports the task bound, "*:9090->90/tcp". */
export function formatTaskPorts(ports: readonly DockerPortConfig[] | undefined): string {
  if (ports === undefined || ports.length === 0) return '';
  return ports.map((p) => `*:${p.PublishedPort ?? 0}->${p.TargetPort ?? 0}/${p.Protocol ?? 'tcp'}`).join(',');
}
