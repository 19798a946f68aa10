// Test support: calls a plugin socket the way dockerd's plugin client does (POST, JSON body).

import { request } from 'node:http';

export interface PluginReply {
  readonly status: number;
  readonly json: unknown;
}

export function post(socketPath: string, path: string, body?: unknown): Promise<PluginReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path, method: 'POST', headers: { Accept: 'application/vnd.docker.plugins.v1.2+json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
            });
          } catch (e: unknown) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}
