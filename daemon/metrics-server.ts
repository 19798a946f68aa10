// shoald's metrics listener (--metrics-addr, off by default, as dockerd's flag of that name):
// plain HTTP serving GET /metrics in Prometheus' text format, and nothing else (404 for any
// other path, 405 for any other method on /metrics). No request body is read; the answer is
// computed per scrape from the daemon's registry.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError, parseMetricsAddr } from './config.js';

export interface MetricsSource {
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsServer {
  /** The bound address (the port the kernel chose when 0 was given). */
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/** A scrape taking longer than this is cut off (a wedged collector must not pile up sockets). */
const REQUEST_TIMEOUT_MS = 30_000;

export async function startMetricsServer(
  addr: string,
  source: MetricsSource,
  logger: Logger,
): Promise<MetricsServer> {
  const { host, port } = parseMetricsAddr(addr);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
      res.end('method not allowed\n');
      return;
    }
    source.scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (e: unknown) => {
        logger.warn({ err: e }, 'metrics scrape failed');
        res
          .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
          .end('metrics collection failed\n');
      },
    );
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(server.headersTimeout, REQUEST_TIMEOUT_MS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: Error) =>
      reject(new ConfigError(`--metrics-addr ${addr}: cannot listen there: ${e.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  logger.info({ address: `${address.address}:${address.port}` }, 'serving metrics on /metrics');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
