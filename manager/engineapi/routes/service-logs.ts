// /services/{id}/logs and /tasks/{id}/logs: lines gathered by the daemon (control.taskLogs),
// written in Docker's stream format as they come (follow keeps the stream open).

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReadTx } from '../../store/index.js';
import { API_VERSION, versionAtLeast } from '../api-version.js';
import type { RouteContext } from '../context.js';
import { invalidParameter } from '../errors.js';
import { encodeLogLine, encodeStreamError } from '../log-stream.js';
import { managerStore } from '../manager-store.js';
import { boolValue } from '../query-values.js';
import { resolveService, resolveTask } from '../resolve.js';
import { IdParams, LogsQuery } from '../../../api/docker/query.js';
import type { LogsOptions } from '../swarm-control.js';

type LogsRequest = FastifyRequest<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LogsQuery> }>;

function parseTail(value: string | undefined): number | 'all' {
  if (value === undefined || value === '' || value === 'all') return 'all';
  if (!/^-?\d+$/.test(value)) throw invalidParameter('tail value must be a positive integer or "all"');
  const n = Number(value);
  if (n < 0) throw invalidParameter('negative tail values not supported');
  // More lines than any log holds: every line (and no count that would be sized by it).
  return Number.isSafeInteger(n) ? n : 'all';
}

interface Selection {
  readonly taskIds: string[];
  readonly tty: boolean;
}

function selectService(tx: ReadTx, id: string): Selection {
  const service = resolveService(tx, id);
  const taskIds = tx
    .find('tasks', 'serviceId', service.id)
    .filter((t) => t.nodeId !== undefined)
    .sort((a, b) => a.slot - b.slot || a.meta.createdAt.localeCompare(b.meta.createdAt))
    .map((t) => t.id);
  return { taskIds, tty: service.spec.taskTemplate.containerSpec.tty };
}

function selectTask(tx: ReadTx, id: string): Selection {
  const task = resolveTask(tx, id);
  return { taskIds: [task.id], tty: task.spec.containerSpec.tty };
}

async function streamLogs(
  ctx: RouteContext,
  request: LogsRequest,
  reply: FastifyReply,
  select: (tx: ReadTx, id: string) => Selection,
): Promise<void> {
  const q = request.query;
  const stdout = boolValue(q.stdout);
  const stderr = boolValue(q.stderr);
  if (!stdout && !stderr) throw invalidParameter('Bad parameters: you must choose at least one stream');
  const tail = parseTail(q.tail);
  const store = managerStore(ctx.control);
  const selection = store.view((tx) => select(tx, request.params.id));
  const multiplexed = !selection.tty;
  const format = { details: boolValue(q.details), timestamps: boolValue(q.timestamps), multiplexed };
  const abort = new AbortController();
  const options: LogsOptions = {
    follow: boolValue(q.follow),
    stdout,
    stderr,
    ...(q.since === undefined || q.since === '' ? {} : { since: q.since }),
    timestamps: format.timestamps,
    tail,
    signal: abort.signal,
  };
  const lines = ctx.control.taskLogs(selection.taskIds, options);

  reply.hijack();
  const res = reply.raw;
  request.raw.on('close', () => abort.abort());
  res.on('close', () => abort.abort());
  res.writeHead(200, {
    'Content-Type':
      multiplexed && versionAtLeast(request.raw, '1.42')
        ? 'application/vnd.docker.multiplexed-stream'
        : 'application/vnd.docker.raw-stream',
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `shoal/${ctx.build.version}`,
  });
  res.flushHeaders();
  try {
    for await (const line of lines) {
      if (abort.signal.aborted) break;
      if ((line.stream === 'stdout' && !stdout) || (line.stream === 'stderr' && !stderr)) continue;
      if (!res.write(encodeLogLine(line, format))) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          abort.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    }
  } catch (e: unknown) {
    if (!abort.signal.aborted) {
      res.write(encodeStreamError(e instanceof Error ? e.message : String(e), multiplexed));
    }
  } finally {
    abort.abort();
    res.end();
  }
}

export function registerServiceLogRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const schema = { params: IdParams, querystring: LogsQuery };
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LogsQuery> }>(
    '/services/:id/logs',
    { schema },
    (request, reply) => streamLogs(ctx, request, reply, selectService),
  );
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LogsQuery> }>(
    '/tasks/:id/logs',
    { schema },
    (request, reply) => streamLogs(ctx, request, reply, selectTask),
  );
}
