// The names and labels a stack gives its objects, the same as the docker CLI's, so `docker
// stack ls|ps|rm` and `shoal stack ...` see the same stacks.

export const NAMESPACE_LABEL = 'com.docker.stack.namespace';
export const IMAGE_LABEL = 'com.docker.stack.image';

/** NAME_web, NAME_default, NAME_db-password */
export function scoped(stack: string, name: string): string {
  return `${stack}_${name}`;
}

export function withNamespace(
  stack: string,
  labels: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...labels, [NAMESPACE_LABEL]: stack };
}
