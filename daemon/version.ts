// shoal's version, as /version and the Server header report it.
export const SHOAL_VERSION = '0.1.0';
