// Prints, as JSON, what shoal decides about the underlay MTU on the machine it runs on, for the
// advertise address given: run inside a lab host (with its own sysfs mounted) by the deploy e2e.
//
// Usage: node underlay-mtu-probe.js ADVERTISE_ADDR

import { detectUnderlayMtu, overlayMtu, readNetInterfaces } from '../../daemon/underlay-mtu.js';

const addr = process.argv[2];
if (addr === undefined) {
  process.stderr.write('usage: underlay-mtu-probe ADVERTISE_ADDR\n');
  process.exit(2);
}
const interfaces = await readNetInterfaces();
const underlay = detectUnderlayMtu(interfaces, addr);
process.stdout.write(`${JSON.stringify({ underlay, overlay: overlayMtu(underlay), interfaces })}\n`);
