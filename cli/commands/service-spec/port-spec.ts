// --publish values, long form (published=8080,target=80,protocol=udp,mode=host) or short
// form (8080:80, 8080:80/udp, 80, 8080-8081:80-81), into PortConfigs as the docker CLI does.
import type { DockerPortConfig, DockerPortProtocol, DockerPublishMode } from '../../client/types.js';
import { CliError } from '../cli-error.js';
import { splitCsvFields } from './shell-words.js';

export class PortSpecError extends CliError {
  constructor(message: string) {
    super(message, 'PORT_SPEC');
    this.name = 'PortSpecError';
  }
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new PortSpecError(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return Number(text);
}

function parseRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (m === null) throw new PortSpecError(`invalid ${what}port: ${text}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) throw new PortSpecError(`invalid ${what}port: ${text}`);
  return [start, end];
}

function parseLong(value: string): DockerPortConfig {
  let protocol: DockerPortProtocol = 'tcp';
  let mode: DockerPublishMode = 'ingress';
  let target = 0;
  let published: number | undefined;
  for (const field of splitCsvFields(value)) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw new PortSpecError(`invalid field: ${field}`);
    const key = lower.slice(0, eq);
    const val = lower.slice(eq + 1);
    switch (key) {
      case 'protocol':
        if (val !== 'tcp' && val !== 'udp' && val !== 'sctp') {
          throw new PortSpecError(`invalid protocol value '${val}'`);
        }
        protocol = val;
        break;
      case 'mode':
        if (val !== 'ingress' && val !== 'host') {
          throw new PortSpecError(`invalid publish mode value (${val}): must be either 'ingress' or 'host'`);
        }
        mode = val;
        break;
      case 'target':
        target = parsePort(val);
        break;
      case 'published':
        published = parsePort(val);
        break;
      default:
        throw new PortSpecError(`invalid field key: ${key}`);
    }
  }
  if (target === 0) throw new PortSpecError("missing mandatory field 'target'");
  return {
    Protocol: protocol,
    TargetPort: target,
    ...(published !== undefined && published !== 0 ? { PublishedPort: published } : {}),
    PublishMode: mode,
  };
}

function parseShort(value: string): DockerPortConfig[] {
  let spec = value;
  let protocol = 'tcp';
  const slash = spec.lastIndexOf('/');
  if (slash >= 0) {
    protocol = spec.slice(slash + 1).toLowerCase();
    spec = spec.slice(0, slash);
  }
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') {
    throw new PortSpecError(`invalid proto: ${protocol}`);
  }
  const parts = spec.split(':');
  if (parts.length > 3) throw new PortSpecError(`invalid port specification: "${value}"`);
  if (parts.length === 3) throw new PortSpecError('hostip is not supported');
  const containerText = parts[parts.length - 1] ?? '';
  const hostText = parts.length === 2 ? (parts[0] ?? '') : '';
  if (containerText === '') throw new PortSpecError(`no port specified: ${value}<empty>`);
  const [cStart, cEnd] = parseRange(containerText, '');
  let hStart = 0;
  let hEnd = 0;
  if (hostText !== '') [hStart, hEnd] = parseRange(hostText, 'host');
  if (hostText !== '' && hEnd - hStart !== cEnd - cStart) {
    if (cEnd !== cStart || hEnd === hStart) {
      throw new PortSpecError(
        `invalid ranges specified for container and host Ports: ${containerText} and ${hostText}`,
      );
    }
  }
  const out: DockerPortConfig[] = [];
  for (let i = 0; i <= cEnd - cStart; i++) {
    const published = hostText === '' ? 0 : hStart + i;
    out.push({
      Protocol: protocol,
      TargetPort: cStart + i,
      ...(published !== 0 ? { PublishedPort: published } : {}),
      PublishMode: 'ingress',
    });
  }
  return out;
}

export function parsePortSpec(value: string): DockerPortConfig[] {
  if (/\w+=\w+(,\w+=\w+)*/.test(value)) return [parseLong(value)];
  return parseShort(value);
}
