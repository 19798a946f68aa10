// Secrets between Docker's JSON and the store: a SecretSpec to the store's spec, and a stored
// secret as dockerd shows it (daemon/cluster/convert's SecretFromGRPC), never with its data.

import type { Secret, SecretSpec } from '../../store/index.js';
import type { DockerSecret, DockerSecretSpec } from '../../../api/docker/secret.js';
import { goBase64 } from './base64.js';
import { driverFromStore, driverToStore } from './driver.js';
import { metaFromStore } from './meta.js';

export function secretSpecToStore(body: DockerSecretSpec): SecretSpec {
  const spec: SecretSpec = {
    name: body.Name ?? '',
    labels: { ...(body.Labels ?? {}) },
    data: goBase64(body.Data ?? ''),
  };
  if (body.Driver !== undefined) spec.driver = driverToStore(body.Driver);
  if (body.Templating !== undefined) spec.templating = driverToStore(body.Templating);
  return spec;
}

export function secretFromStore(s: Secret): DockerSecret {
  const spec: DockerSecret['Spec'] = { Name: s.spec.name, Labels: { ...s.spec.labels } };
  if (s.spec.driver !== undefined) spec.Driver = driverFromStore(s.spec.driver);
  if (s.spec.templating !== undefined) spec.Templating = driverFromStore(s.spec.templating);
  return { ID: s.id, ...metaFromStore(s.meta), Spec: spec };
}
