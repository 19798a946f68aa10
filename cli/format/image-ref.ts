// How the docker CLI shows an image reference in tables: familiar form (no
// "docker.io/library/"), and a digest dropped when a tag is present
// ("nginx:1.25@sha256:…" -> "nginx:1.25").

export function familiarName(name: string): string {
  if (name.startsWith('docker.io/library/')) return name.slice('docker.io/library/'.length);
  if (name.startsWith('docker.io/')) return name.slice('docker.io/'.length);
  if (name.startsWith('index.docker.io/library/')) return name.slice('index.docker.io/library/'.length);
  return name;
}

function hasTag(name: string): boolean {
  const lastSlash = name.lastIndexOf('/');
  return name.slice(lastSlash + 1).includes(':');
}

export function displayImage(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  if (!hasTag(name)) return at >= 0 ? familiarName(name) + image.slice(at) : familiarName(image);
  return familiarName(name);
}

/**
 * The image as the docker CLI sends it in a spec: a reference without a tag or digest gets
 * ":latest" ("nginx" -> "nginx:latest"), in familiar form.
 */
export function normalizeImageForSpec(image: string): string {
  if (image.includes('@')) return image;
  return hasTag(image) ? image : `${image}:latest`;
}
