// `shoal service logs SERVICE|TASK`: demultiplexes the daemon's log stream and prefixes each
// line with "name.slot.taskid@node    | " as the docker CLI does (--raw leaves lines as is).
import type { Command } from 'commander';
import type { Readable } from 'node:stream';
import { demultiplex } from '../client/stdcopy.js';
import { parseLogLine } from '../format/log-line.js';
import { truncateId } from '../format/pretty-print.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { isNotFound } from './resolve.js';

interface LogsFlags {
  follow?: boolean;
  tail: string;
  timestamps?: boolean;
  since?: string;
  raw?: boolean;
  taskIds: boolean;
  trunc: boolean;
  resolve: boolean;
  details?: boolean;
}

export function registerServiceLogs(service: Command, ctx: CliContext): void {
  service
    .command('logs')
    .description('Fetch the logs of a service or task')
    .argument('<service|task>')
    .option('-f, --follow', 'Follow log output')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option(
      '--since <string>',
      'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    )
    .option('--raw', 'Do not neatly format logs')
    .option('--no-task-ids', 'Do not include task IDs in output')
    .option('--no-trunc', 'Do not truncate output')
    .option('--no-resolve', 'Do not map IDs to Names in output')
    .option('--details', 'Show extra details provided to logs')
    .action(async (target: string, flags: LogsFlags) => {
      const api = ctx.api();
      let tty = false;
      let padding = 1;
      let stream: (opts: Parameters<typeof api.serviceLogs>[1]) => Promise<Readable>;
      try {
        const svc = await api.serviceInspect(target);
        tty = svc.Spec.TaskTemplate?.ContainerSpec?.TTY === true;
        const replicas = svc.Spec.Mode?.Replicated?.Replicas;
        if (replicas !== undefined) padding = String(replicas).length;
        stream = (o) => api.serviceLogs(target, o);
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
        let task;
        try {
          task = await api.taskInspect(target);
        } catch (te: unknown) {
          if (isNotFound(te)) throw new CliError(`no such task or service: ${target}`, 'NO_SUCH_TARGET');
          throw te;
        }
        tty = task.Spec.ContainerSpec?.TTY === true;
        padding = String(task.Slot ?? 0).length;
        stream = (o) => api.taskLogs(target, o);
      }
      if (tty && flags.raw !== true)
        throw new CliError('tty service logs only supported with --raw', 'TTY_LOGS');
      const timestamps = flags.timestamps === true;
      const body = await stream({
        follow: flags.follow === true,
        timestamps,
        tail: flags.tail,
        ...(flags.since !== undefined ? { since: flags.since } : {}),
        details: flags.details === true || flags.raw !== true,
        signal: ctx.interrupt,
      });
      const write = (text: string, toErr: boolean): void => (toErr ? ctx.io.err(text) : ctx.io.out(text));
      try {
        if (tty) {
          for await (const chunk of body)
            write(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk), false);
          return;
        }
        const names = new Map<string, string>();
        const nodeNames = new Map<string, string>();
        const serviceNames = new Map<string, string>();
        const context = async (nodeId: string, serviceId: string, taskId: string): Promise<string> => {
          const key = `${nodeId}/${serviceId}/${taskId}`;
          const cached = names.get(key);
          if (cached !== undefined) return cached;
          if (flags.resolve && !nodeNames.has(nodeId)) {
            const node = await api.nodeInspect(nodeId).catch(() => undefined);
            nodeNames.set(nodeId, node?.Description?.Hostname ?? nodeId);
          }
          if (flags.resolve && !serviceNames.has(serviceId)) {
            const svc = await api.serviceInspect(serviceId).catch(() => undefined);
            serviceNames.set(serviceId, svc?.Spec.Name ?? serviceId);
          }
          const task = await api.taskInspect(taskId);
          let name = `${serviceNames.get(serviceId) ?? serviceId}.${task.Slot ?? 0}`;
          if (flags.taskIds) name += `.${flags.trunc ? truncateId(task.ID) : task.ID}`;
          const pad = ' '.repeat(Math.max(padding - String(task.Slot ?? 0).length, 0));
          const text = `${name}@${nodeNames.get(nodeId) ?? nodeId}${pad}`;
          names.set(key, text);
          return text;
        };
        await demultiplex(body, async (frame) => {
          const toErr = frame.stream === 'stderr';
          const text = frame.payload.toString('utf8');
          if (frame.stream === 'systemerr')
            throw new CliError(`error from daemon in stream: ${text}`, 'LOG_STREAM');
          if (flags.raw === true) {
            write(text, toErr);
            return;
          }
          const line = parseLogLine(text, timestamps);
          let out = line.timestamp !== undefined ? `${line.timestamp} ` : '';
          out += `${await context(line.nodeId, line.serviceId, line.taskId)}    | `;
          if (flags.details === true) out += `${line.extraDetails.join(',')} `;
          write(out + line.message, toErr);
        });
      } catch (e: unknown) {
        if (ctx.interrupt.aborted) return;
        throw e;
      }
    });
}
