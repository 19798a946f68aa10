// Docker with iptables on (its default) sets the FORWARD policy to DROP and turns on br_netfilter,
// which sends bridged frames through iptables too: frames on shoal's overlay bridges, and the
// egress routed from the gateway bridge to the underlay, would be dropped. shoal accepts its own
// traffic at the top of FORWARD (Docker inserts its chains above and keeps them returning for
// other bridges); published ports add the connections the node translates to a task. Each rule
// is marked with the comment `shoal` so it can be found and removed.
// Without iptables on the node there is nothing to open.

import type { HostCommands } from './host-commands.js';
import { programPath } from './host-commands.js';

export const RULE_COMMENT = 'shoal';

/** The rules (iptables arguments after the chain) for shoal's bridges. */
export function forwardRules(gatewayBridge: string): string[][] {
  const mark = ['-m', 'comment', '--comment', RULE_COMMENT, '-j', 'ACCEPT'];
  return [
    // Bridged frames on an overlay network (between local tasks, and to/from its VXLAN device).
    ['-i', 'ov-+', '-o', 'ov-+', ...mark],
    // Egress: tasks out through the node, and the answers back.
    ['-i', gatewayBridge, '!', '-o', gatewayBridge, ...mark],
    ['-o', gatewayBridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...mark],
    // Published ports: connections the node translated to a task (through the ingress overlay
    // for the routing mesh, to the task's bridge for host mode), and the answers of the mesh's tasks.
    ['-m', 'conntrack', '--ctstate', 'DNAT', ...mark],
    ['-i', 'ov-+', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...mark],
  ];
}

function hasIptables(): boolean {
  return programPath('iptables') !== 'iptables';
}

/** Inserts the rules that are missing. */
export async function acceptForwarding(commands: HostCommands, gatewayBridge: string): Promise<void> {
  if (!hasIptables()) return;
  for (const rule of forwardRules(gatewayBridge).reverse()) {
    const present = await commands.run(['iptables', '-w', '-C', 'FORWARD', ...rule], { allowFailure: true });
    if (present.code !== 0) await commands.run(['iptables', '-w', '-I', 'FORWARD', '1', ...rule]);
  }
}

/** Removes every FORWARD rule marked as shoal's. */
export async function removeForwardingRules(commands: HostCommands): Promise<void> {
  if (!hasIptables()) return;
  const listed = await commands.run(['iptables', '-w', '-S', 'FORWARD'], { allowFailure: true });
  if (listed.code !== 0) return;
  const ours = listed.stdout
    .split('\n')
    .filter((l) => l.startsWith('-A FORWARD ') && new RegExp(`--comment "?${RULE_COMMENT}"? `).test(l));
  for (const line of ours) {
    const args = line
      .replace(/^-A FORWARD /, '')
      .replaceAll('"', '')
      .split(/\s+/);
    await commands.run(['iptables', '-w', '-D', 'FORWARD', ...args], { allowFailure: true });
  }
}
