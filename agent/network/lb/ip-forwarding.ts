// The routing mesh forwards packets from the node's interfaces into the ingress network, which
// the kernel does only with net.ipv4.ip_forward on (a sysctl of each network namespace).

import { spawn } from 'node:child_process';
import { LbError } from './errors.js';

/** Turns IPv4 forwarding on in the namespace (`nsenter --net=<path> sysctl -w`). */
export function enableIpForwarding(netnsPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netnsPath}`, '--', 'sysctl', '-qw', 'net.ipv4.ip_forward=1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) =>
      reject(new LbError('NFT_FAILED', `cannot enable IPv4 forwarding in ${netnsPath}: ${e.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const msg = Buffer.concat(err).toString('utf8').trim();
        reject(
          new LbError(
            'NFT_FAILED',
            `cannot enable IPv4 forwarding in ${netnsPath}: ${msg || `exit ${code}`}`,
          ),
        );
      }
    });
  });
}
