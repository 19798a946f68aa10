// Run by sandbox-sockets.ts as `nsenter --net=<sandbox> node sandbox-socket-helper.js ADDRESS`:
// binds a UDP socket and a TCP server on ADDRESS (port 0) inside the sandbox's network namespace,
// hands both to the parent over the IPC channel (the kernel keeps each socket in the namespace
// it was created in), and exits. Not imported by anything: it is a program.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const address = process.argv[2];
if (!address || !process.send) fail('usage: sandbox-socket-helper ADDRESS (spawned with an IPC channel)');
const send = process.send.bind(process);

const udp = createSocket('udp4');
udp.on('error', (e) => fail(`udp ${address}: ${e.message}`));
udp.bind(0, address, () => {
  const tcp = createServer();
  tcp.on('error', (e) => fail(`tcp ${address}: ${e.message}`));
  tcp.listen({ port: 0, host: address, backlog: 128 }, () => {
    send({ kind: 'udp' }, udp, () => {
      send({ kind: 'tcp' }, tcp, () => process.exit(0));
    });
  });
});
