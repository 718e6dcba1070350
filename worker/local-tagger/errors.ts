// The one error the local tagger answers with: an HTTP status and a lower_snake code, rendered in the envelope.
export class TaggerError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TaggerError";
    this.status = status;
    this.code = code;
  }
}

/** The image bytes cannot be turned into pixels: broken, truncated, not an image, or too many pixels. */
export function undecodableImage(message: string, cause?: unknown): TaggerError {
  return new TaggerError(422, "undecodable_image", message, { cause });
}
