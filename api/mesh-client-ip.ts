// How the routing mesh treats a client's source address, per service: the label
// `shoal.mesh.client-ip` (so that the unmodified docker CLI can ask for it with `--label`).
// `masquerade` (or no label): Swarm's ingress, the client's address replaced by the receiving
// node's. `preserve`: the task sees the client's own address; its replies go back through the
// node that received the connection, which undoes its translation there.

export const MESH_CLIENT_IP_LABEL = 'shoal.mesh.client-ip';

export const MESH_CLIENT_IP_MODES = ['masquerade', 'preserve'] as const;
export type MeshClientIpMode = (typeof MESH_CLIENT_IP_MODES)[number];

/** The mode a service's labels ask for; undefined for a value that is none of the modes. */
export function meshClientIpMode(labels: Readonly<Record<string, string>>): MeshClientIpMode | undefined {
  const v = labels[MESH_CLIENT_IP_LABEL];
  if (v === undefined || v === '') return 'masquerade';
  return (MESH_CLIENT_IP_MODES as readonly string[]).includes(v) ? (v as MeshClientIpMode) : undefined;
}
