// The store's bookkeeping as Docker's Version/CreatedAt/UpdatedAt.

import type { Meta } from '../../store/index.js';
import type { DockerMeta } from '../../../api/docker/object-meta.js';

export function metaFromStore(m: Meta): DockerMeta {
  return { Version: { Index: m.version }, CreatedAt: m.createdAt, UpdatedAt: m.updatedAt };
}
