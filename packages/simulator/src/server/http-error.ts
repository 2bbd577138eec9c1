/** An error answer of the server. */

/** An error answer (not an Error subclass: no stack trace to capture on hot 404 paths). */
export class HttpError {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}
