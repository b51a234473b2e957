/**
 * The one error type the routes turn into a QStash error response: an HTTP status and the text
 * that goes into `{"error": "..."}`, which the official client surfaces as `QstashError.message`.
 */
export class QStashError extends Error {
  readonly status: 400 | 401 | 403 | 404;

  constructor(status: 400 | 401 | 403 | 404, message: string) {
    super(message);
    this.status = status;
  }
}
