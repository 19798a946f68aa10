// Configs between Docker's JSON and the store: a ConfigSpec to the store's spec, and a stored
// config as dockerd shows it (daemon/cluster/convert's ConfigFromGRPC), with its data.

import type { Config, ConfigSpec } from '../../store/index.js';
import type { DockerConfig, DockerConfigSpec } from '../../../api/docker/config.js';
import { goBase64 } from './base64.js';
import { metaFromStore } from './meta.js';
import { driverFromStore, driverToStore } from './driver.js';

export function configSpecToStore(body: DockerConfigSpec): ConfigSpec {
  const spec: ConfigSpec = {
    name: body.Name ?? '',
    labels: { ...(body.Labels ?? {}) },
    data: goBase64(body.Data ?? ''),
  };
  if (body.Templating !== undefined) spec.templating = driverToStore(body.Templating);
  return spec;
}

export function configFromStore(c: Config): DockerConfig {
  const spec: DockerConfig['Spec'] = { Name: c.spec.name, Labels: { ...c.spec.labels } };
  if (c.spec.data !== '') spec.Data = c.spec.data;
  if (c.spec.templating !== undefined) spec.Templating = driverFromStore(c.spec.templating);
  return { ID: c.id, ...metaFromStore(c.meta), Spec: spec };
}
