/** An HTTP API failure with the status, machine code and (for bad parameters) the field to fix. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** Extra response headers, e.g. `Retry-After` on a 429. */
  readonly headers: Record<string, string> | undefined;
  /** The values `field` may take (states a transition is legal from, a range's ends). */
  readonly allowed: readonly string[] | undefined;
  constructor(
    status: number,
    code: string,
    message: string,
    options: {
      field?: string;
      cause?: unknown;
      headers?: Record<string, string>;
      allowed?: readonly string[];
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers;
    this.allowed = options.allowed;
  }

  /** The JSON body every API error has: `{ error: { code, message, field? } }`. */
  toBody(): {
    error: { code: string; message: string; field?: string; allowed?: readonly string[] };
  } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.allowed === undefined ? {} : { allowed: this.allowed }),
      },
    };
  }
}

/** 404 for an id that names nothing. */
export function notFound(what: string, id: string): HttpError {
  return new HttpError(404, 'not_found', `${what} "${id}" does not exist`);
}
