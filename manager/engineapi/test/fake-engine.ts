// A stand-in for dockerd on a unix socket in a temp dir, answering the calls the engine
// endpoint tests make the way dockerd does: JSON reads with its headers, a followed log as a
// chunked multiplexed stream, a streamed request body (an image load), a hijacked attach (101,
// then raw bytes both ways, half-close honoured), local networks, /info, /version and /events.
// It records every request it received, so tests can see what passed through and how.

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface FakeEngine {
  readonly socketPath: string;
  readonly seen: SeenRequest[];
  /** Networks the engine holds (created ones are added). */
  readonly networks: Record<string, unknown>[];
  /** Sends one more log line to every open follow (and ends them when `end`). */
  log(line: string, end?: boolean): void;
  /** Sends one engine event to every open /events stream. */
  event(e: Record<string, unknown>): void;
  close(): Promise<void>;
}

const ENGINE_HEADERS = {
  'Api-Version': '1.51',
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: 'Docker/28.3.0 (linux)',
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...ENGINE_HEADERS, 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

/** One frame of dockerd's multiplexed stream (stream 1 = stdout). */
export function stdoutFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function localNetwork(name: string, driver: string, id: string): Record<string, unknown> {
  return {
    Name: name,
    Id: id,
    Created: '2024-01-01T00:00:00Z',
    Scope: 'local',
    Driver: driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
  };
}

export async function startFakeEngine(): Promise<FakeEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-fake-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const seen: SeenRequest[] = [];
  const follows = new Set<ServerResponse>();
  const eventStreams = new Set<ServerResponse>();
  const networks = [
    localNetwork('bridge', 'bridge', 'b'.repeat(64)),
    localNetwork('host', 'host', 'c'.repeat(64)),
    localNetwork('none', 'null', 'd'.repeat(64)),
  ];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /containers/json') {
      return json(res, 200, [{ Id: 'f'.repeat(64), Names: ['/web'], Image: 'nginx', State: 'running' }]);
    }
    if (route === 'GET /containers/web/json') {
      return json(res, 200, { Id: 'f'.repeat(64), Name: '/web', State: { Running: true }, Config: {} });
    }
    if (route === 'POST /containers/web/exec') {
      req.resume();
      return json(res, 201, { Id: 'exec1' });
    }
    if (route === 'GET /exec/exec1/json') {
      return json(res, 200, { ID: 'exec1', Running: false, ExitCode: 0, ProcessConfig: {} });
    }
    if (route === 'GET /containers/missing/json') {
      return json(res, 404, { message: 'No such container: missing' });
    }
    if (route === 'GET /containers/web/logs' && url.searchParams.get('follow') === '1') {
      res.writeHead(200, { ...ENGINE_HEADERS, 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      res.flushHeaders();
      follows.add(res);
      res.on('close', () => follows.delete(res));
      return;
    }
    if (route === 'POST /images/load') {
      // Answers only once the whole body arrived: its size and digest prove it streamed intact.
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        res.writeHead(200, { ...ENGINE_HEADERS, 'Content-Type': 'application/json' });
        res.end(`${JSON.stringify({ stream: `Loaded ${size} bytes sha256:${hash.digest('hex')}\n` })}\n`);
      });
      return;
    }
    if (route === 'GET /networks') return json(res, 200, networks);
    if (req.method === 'GET' && path.startsWith('/networks/')) {
      const key = decodeURIComponent(path.slice('/networks/'.length));
      const found = networks.find((n) => n.Id === key || n.Name === key);
      return found === undefined
        ? json(res, 404, { message: `network ${key} not found` })
        : json(res, 200, found);
    }
    if (route === 'POST /networks/create') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Name: string; Driver?: string };
        const id = createHash('sha256').update(body.Name).digest('hex');
        networks.push(localNetwork(body.Name, body.Driver ?? 'bridge', id));
        json(res, 201, { Id: id, Warning: '' });
      });
      return;
    }
    if (req.method === 'DELETE' && path.startsWith('/networks/')) {
      const key = decodeURIComponent(path.slice('/networks/'.length));
      const i = networks.findIndex((n) => n.Id === key || n.Name === key);
      if (i < 0) return json(res, 404, { message: `network ${key} not found` });
      networks.splice(i, 1);
      res.writeHead(204, ENGINE_HEADERS);
      res.end();
      return;
    }
    if (route === 'GET /info') {
      return json(res, 200, {
        ID: 'ENGINE:ID',
        Containers: 3,
        ContainersRunning: 1,
        ContainersPaused: 1,
        ContainersStopped: 1,
        Images: 7,
        Driver: 'overlay2',
        DockerRootDir: '/var/lib/docker',
        Runtimes: { runc: { path: 'runc' }, crun: { path: '/usr/bin/crun' } },
        DefaultRuntime: 'runc',
        KernelVersion: '6.1.0-fake',
        ServerVersion: '28.3.0',
        Name: 'engine-host',
        Swarm: { LocalNodeState: 'inactive' },
      });
    }
    if (route === 'GET /version') {
      return json(res, 200, {
        Version: '28.3.0',
        ApiVersion: '1.51',
        Components: [
          { Name: 'Engine', Version: '28.3.0', Details: { ApiVersion: '1.51' } },
          { Name: 'containerd', Version: '1.7.27', Details: { GitCommit: 'abc' } },
        ],
      });
    }
    if (route === 'GET /events') {
      res.writeHead(200, { ...ENGINE_HEADERS, 'Content-Type': 'application/json' });
      res.flushHeaders();
      eventStreams.add(res);
      res.on('close', () => eventStreams.delete(res));
      return;
    }
    json(res, 404, { message: 'page not found' });
  };

  // dockerd's hijack: 101 UPGRADED with the raw-stream type, then the connection is the
  // container's stdio. This one answers each chunk of input upper-cased, and when the client
  // closes its write side (stdin ended) sends "bye" and closes.
  // An exec start (no TTY) answers in dockerd's multiplexed frames, after the JSON body the
  // client sent before the raw bytes ({"Detach":false,"Tty":false}), which it skips.
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const multiplexed = (req.url ?? '').includes('/exec/');
    socket.write(
      `HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.${multiplexed ? 'multiplexed' : 'raw'}-stream\r\n` +
        'Connection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: 1.51\r\n\r\n',
    );
    let bodyLeft = Number(req.headers['content-length'] ?? 0);
    const out = (text: string): Buffer | string => (multiplexed ? stdoutFrame(text) : text);
    const answer = (c: Buffer): void => {
      const skip = Math.min(bodyLeft, c.length);
      bodyLeft -= skip;
      const rest = c.subarray(skip);
      if (rest.length > 0) socket.write(out(rest.toString('utf8').toUpperCase()));
    };
    if (head.length > 0) answer(head);
    socket.on('data', answer);
    socket.on('end', () => socket.end(out('bye\n')));
  };

  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  server.on('upgrade', upgrade);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));

  return {
    socketPath,
    seen,
    networks,
    log: (line, end = false) => {
      for (const res of follows) {
        res.write(stdoutFrame(`${line}\n`));
        if (end) res.end();
      }
    },
    event: (e) => {
      for (const res of eventStreams) res.write(`${JSON.stringify(e)}\n`);
    },
    close: async () => {
      for (const res of [...follows, ...eventStreams]) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
