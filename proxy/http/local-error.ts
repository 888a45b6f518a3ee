// The proxy's own error replies: one stable code per failure, a status, and a short JSON body.

/** Every error Weft answers by itself, with its status. The code is sent as `x-weft-error` and in the body. */
export const LOCAL_ERRORS = {
  route_not_found: 404,
  cluster_not_found: 503,
  upstream_connect_failed: 502,
  upstream_reset: 502,
  upstream_protocol_error: 502,
  no_healthy_endpoint: 503,
  upstream_overflow: 503,
  upstream_timeout: 504,
  invalid_request: 400,
  request_header_fields_too_large: 431,
  unsupported_transfer_encoding: 501,
  method_not_implemented: 501,
  request_timeout: 408,
  payload_too_large: 413,
  response_buffer_overflow: 500,
  internal_error: 500,
} as const;

export type LocalErrorCode = keyof typeof LOCAL_ERRORS;

/** `{"error":"<code>","message":"…"}` */
export function localErrorBody(code: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: code, message }));
}

export const LOCAL_ERROR_CONTENT_TYPE = 'application/json';
export const LOCAL_ERROR_HEADER = 'x-weft-error';
