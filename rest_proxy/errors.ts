/**
 * Errors in the shape and with the codes of Confluent's REST Proxy v2: an HTTP status plus a
 * body `{ "error_code": <int>, "message": <text> }`. Codes follow its `Errors` class; where it
 * has none, the error code is the HTTP status, as its generic exception mappers do.
 */

export type ErrorStatus = 400 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 500 | 503;

export interface ErrorBody {
  error_code: number;
  message: string;
}

export class RestError extends Error {
  override name = "RestError";
  constructor(readonly status: ErrorStatus, readonly errorCode: number, message: string) {
    super(message);
  }

  body(): ErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const ERROR_CODES = {
  topicNotFound: 40401,
  partitionNotFound: 40402,
  topicNotAuthorized: 40301,
  keySchemaMissing: 42201,
  valueSchemaMissing: 42202,
  jsonAvroConversion: 42203,
  invalidSchema: 42205,
  schemaIncompatible: 40901,
  kafkaError: 50002,
  kafkaRetriable: 50003,
  // Confluent documents no code for "too many requests waiting". 50301 is its one 503xx code,
  // documented as "no SimpleConsumer is available in the pool; the request can be retried;
  // increase the pool size": the same situation (a bounded pool is full, retry later, raise the
  // bound), so clients that know it already retry. Confluent sends it with HTTP 500; 503 is what
  // HTTP means here, and clients retry every 5xx.
  tooManyPending: 50301,
} as const;

export const notFound = () => new RestError(404, 404, "HTTP 404 Not Found");
export const methodNotAllowed = () => new RestError(405, 405, "HTTP 405 Method Not Allowed");
export const unsupportedMediaType = () =>
  new RestError(415, 415, "HTTP 415 Unsupported Media Type");
export const payloadTooLarge = (limit: number) =>
  new RestError(413, 413, `Request body is larger than the limit of ${limit} bytes`);
export const malformedJson = (detail: string) =>
  new RestError(400, 400, `Malformed JSON: ${detail}`);
export const unprocessable = (detail: string) => new RestError(422, 422, detail);

export const topicNotFound = () =>
  new RestError(404, ERROR_CODES.topicNotFound, "Topic not found.");
export const partitionNotFound = () =>
  new RestError(404, ERROR_CODES.partitionNotFound, "Partition not found.");
export const topicNotAuthorized = (topic: string) =>
  new RestError(403, ERROR_CODES.topicNotAuthorized, `Not authorized to access topics: [${topic}]`);

export const keySchemaMissing = () =>
  new RestError(
    422,
    ERROR_CODES.keySchemaMissing,
    "Request includes keys but does not include key schema",
  );
export const valueSchemaMissing = () =>
  new RestError(
    422,
    ERROR_CODES.valueSchemaMissing,
    "Request includes values but does not include value schema",
  );
export const jsonAvroConversion = (detail: string) =>
  new RestError(
    422,
    ERROR_CODES.jsonAvroConversion,
    `Conversion of JSON to Avro failed: ${detail}`,
  );
export const invalidSchema = (detail: string) =>
  new RestError(422, ERROR_CODES.invalidSchema, `Invalid schema: ${detail}`);
export const schemaIncompatible = (detail: string) =>
  new RestError(409, ERROR_CODES.schemaIncompatible, `Incompatible schema: ${detail}`);

/** Kafka (or the registry) could not be reached or failed: the request may be retried. */
export const retriableBackendError = (detail: string) =>
  new RestError(500, ERROR_CODES.kafkaRetriable, `Retriable Kafka error: ${detail}`);
export const backendError = (detail: string) =>
  new RestError(500, ERROR_CODES.kafkaError, `Kafka error: ${detail}`);
/** More requests than REST_PROXY_MAX_PENDING_REQUESTS are waiting for Kafka or the registry. */
export const tooManyPending = (limit: number) =>
  new RestError(
    503,
    ERROR_CODES.tooManyPending,
    `Too many requests waiting for Kafka (limit ${limit}). The request can be retried.`,
  );
export const registryUnavailable = (detail: string) =>
  new RestError(503, ERROR_CODES.kafkaRetriable, `Schema registry unavailable: ${detail}`);
