// Opens the embedded DNS's sockets inside a task's network namespace. Node cannot setns(2), so a
// tiny helper is started in the namespace with nsenter; it binds a UDP socket and a TCP server
// and passes them back over the child_process IPC channel, then exits. The daemon then serves
// them like any socket of its own: one listener per sandbox, no packet ever proxied in user
// space beyond the DNS message itself, and the socket tells which task is asking.

import { fork } from 'node:child_process';
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SandboxSockets } from './dns-server.js';
import { DnsSandboxError } from './errors.js';

/** Docker's embedded DNS address; a task's resolv.conf names it. */
export const SANDBOX_DNS_ADDRESS = '127.0.0.11';

const HELPER = fileURLToPath(new URL('./sandbox-socket-helper.js', import.meta.url));

export interface OpenedSandboxSockets extends SandboxSockets {
  readonly address: string;
  readonly udpPort: number;
  readonly tcpPort: number;
}

function isUdp(h: unknown): h is UdpSocket {
  return typeof h === 'object' && h !== null && 'send' in h && 'bind' in h;
}

function isServer(h: unknown): h is Server {
  return typeof h === 'object' && h !== null && 'listen' in h && 'getConnections' in h;
}

/**
 * Binds `address` (port 0, UDP and TCP) inside the namespace at `netnsPath` and returns the
 * sockets with their ports. The namespace's loopback must be up (it is in every container).
 */
export function openSandboxSockets(
  netnsPath: string,
  address: string = SANDBOX_DNS_ADDRESS,
  timeoutMs = 10_000,
): Promise<OpenedSandboxSockets> {
  return new Promise((resolve, reject) => {
    const child = fork(HELPER, [address], {
      execPath: 'nsenter',
      execArgv: [`--net=${netnsPath}`, '--', process.execPath],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let udp: UdpSocket | undefined;
    let tcp: Server | undefined;
    let settled = false;
    const err: Buffer[] = [];
    const finish = (e?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!e && udp && tcp) {
        const udpPort = udp.address().port;
        const tcpAddr = tcp.address();
        if (tcpAddr !== null && typeof tcpAddr === 'object') {
          resolve({ udp, tcp, address, udpPort, tcpPort: tcpAddr.port });
          return;
        }
      }
      udp?.close();
      tcp?.close();
      child.kill('SIGKILL');
      reject(e ?? new DnsSandboxError(netnsPath, 'the helper did not hand over both sockets'));
    };
    const timer = setTimeout(
      () => finish(new DnsSandboxError(netnsPath, `no sockets after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('message', (_msg: unknown, handle: unknown) => {
      if (isUdp(handle)) udp = handle;
      else if (isServer(handle)) tcp = handle;
      if (udp && tcp) finish();
    });
    child.on('error', (e) => finish(new DnsSandboxError(netnsPath, e.message)));
    child.on('exit', (code) => {
      if (udp && tcp) return finish();
      const msg = Buffer.concat(err).toString('utf8').trim();
      finish(new DnsSandboxError(netnsPath, msg || `the helper exited with ${code}`));
    });
  });
}
