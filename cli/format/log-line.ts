// One line of `service logs` as the daemon sends it with details=1:
//   [timestamp ]key=value,key=value[,...] message
// The swarm keys (node, service and task IDs) name where the line came from; values are
// URL-query-escaped. Mirrors the docker CLI's parsing.

export class LogLineError extends Error {
  readonly code = 'LOG_LINE';
  constructor(message: string) {
    super(message);
    this.name = 'LogLineError';
  }
}

/** A `service logs` line read back into its origin, details and message. */
export interface ParsedLogLine {
  readonly timestamp?: string;
  readonly nodeId: string;
  readonly serviceId: string;
  readonly taskId: string;
  /** Details other than the three swarm IDs, sorted "k=v" strings. */
  readonly extraDetails: readonly string[];
  /** The message, including its trailing newline if it had one. */
  readonly message: string;
}

function unescape(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new LogLineError(`invalid details format: ${text}`);
  }
}

export function parseLogDetails(text: string): Map<string, string> {
  const details = new Map<string, string>();
  if (text === '') return details;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new LogLineError('invalid details format');
    details.set(unescape(pair.slice(0, eq)), unescape(pair.slice(eq + 1)));
  }
  return details;
}

export function parseLogLine(line: string, timestamps: boolean): ParsedLogLine {
  const parts: string[] = [];
  let rest = line;
  const want = timestamps ? 3 : 2;
  while (parts.length < want - 1) {
    const sp = rest.indexOf(' ');
    if (sp < 0) break;
    parts.push(rest.slice(0, sp));
    rest = rest.slice(sp + 1);
  }
  parts.push(rest);
  if (parts.length !== want) throw new LogLineError(`invalid context in log message: ${line}`);
  const detailsText = parts[timestamps ? 1 : 0] ?? '';
  const details = parseLogDetails(detailsText);
  const take = (key: string, what: string): string => {
    const v = details.get(key);
    if (v === undefined) throw new LogLineError(`missing ${what} id in details: ${detailsText}`);
    details.delete(key);
    return v;
  };
  const nodeId = take('com.docker.swarm.node.id', 'node');
  const serviceId = take('com.docker.swarm.service.id', 'service');
  const taskId = take('com.docker.swarm.task.id', 'task');
  const extraDetails = [...details.entries()].map(([k, v]) => `${k}=${v}`).sort();
  return {
    ...(timestamps ? { timestamp: parts[0] ?? '' } : {}),
    nodeId,
    serviceId,
    taskId,
    extraDetails,
    message: parts[want - 1] ?? '',
  };
}
