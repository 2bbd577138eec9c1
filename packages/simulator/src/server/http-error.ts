/** An error answer of the server. */

/** An error answer (not an Error subclass: no stack trace to capture on hot 404 paths). */
export class HttpError {
  constructor(
    readonly status: number,
    readonly message: string,
    /** The JSON body to answer with, when not `{ "message": message }` (e.g. OAuth's `{ error }`). */
    readonly body?: Record<string, unknown>,
  ) {}

  /** The answer's JSON body. */
  json(): string {
    return JSON.stringify(this.body ?? { message: this.message });
  }
}
