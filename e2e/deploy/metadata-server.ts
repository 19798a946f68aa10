// A stand-in for the OpenStack metadata service, run inside a lab host's network namespace on
// 169.254.169.254:80: it answers GET /openstack/latest/meta_data.json with the file given (read
// on every request, so a test can change it) and 404 for anything else. Each request is logged
// as a line on stdout.
//
// Usage: node metadata-server.js --listen 169.254.169.254:80 --file meta_data.json

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const PATH = '/openstack/latest/meta_data.json';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? undefined : process.argv[i + 1];
  if (v === undefined) {
    process.stderr.write(`metadata-server: ${name} is required\n`);
    process.exit(2);
  }
  return v;
}

const listen = arg('--listen');
const file = arg('--file');
const m = /^(.+):(\d+)$/.exec(listen);
if (!m?.[1] || !m[2]) {
  process.stderr.write(`metadata-server: --listen ${listen}: expected HOST:PORT\n`);
  process.exit(2);
}
const [host, port] = [m[1], Number(m[2])];

const server = createServer((req, res) => {
  void (async () => {
    let status = 404;
    let body = 'not found\n';
    if (req.method === 'GET' && req.url === PATH) {
      try {
        body = await readFile(file, 'utf8');
        status = 200;
      } catch (e: unknown) {
        status = 500;
        body = `${e instanceof Error ? e.message : String(e)}\n`;
      }
    }
    res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain' });
    res.end(body);
    process.stdout.write(`${new Date().toISOString()} ${req.method ?? '?'} ${req.url ?? '?'} ${status}\n`);
  })();
});
server.listen(port, host, () => process.stdout.write(`listening on ${host}:${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
