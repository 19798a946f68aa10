// The image reference grammar of distribution/reference (domain, path, tag, digest).

const DOMAIN = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`;
const REFERENCE = new RegExp(
  String.raw`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

/** A name (255), a tag (128) and a digest (sha512's 128 hex digits and its algorithm). */
export const MAX_IMAGE_REFERENCE_LENGTH = 255 + 128 + 80;

export function isValidImageReference(image: string): boolean {
  return image.length <= MAX_IMAGE_REFERENCE_LENGTH && REFERENCE.test(image);
}
