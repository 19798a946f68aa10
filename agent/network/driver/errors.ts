// Typed errors of the network plugin and the attacher. The plugin sends the message to dockerd
// as `{"Err": …}`, which the engine shows to whoever created the container or network.

export type DriverErrorCode =
  | 'DRIVER_BAD_REQUEST'
  | 'DRIVER_NOT_SHOAL_NETWORK'
  | 'DRIVER_UNKNOWN_NETWORK'
  | 'DRIVER_UNKNOWN_ENDPOINT'
  | 'DRIVER_STATE'
  | 'ATTACH_UNKNOWN_NETWORK'
  | 'ATTACH_ENGINE'
  | 'ATTACH_NAME_CONFLICT';

export class DriverError extends Error {
  readonly code: DriverErrorCode;
  constructor(code: DriverErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DriverError';
    this.code = code;
  }
}
