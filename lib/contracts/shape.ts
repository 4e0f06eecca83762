/** Checks of decoded keys and values against the shape a topic contract promises. */

/** A decoded record that does not have the shape its topic's contract promises. */
export class RecordShapeError extends Error {
  override name = "RecordShapeError";
}

export type Fields = Record<string, unknown>;

export function object(value: unknown, what: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RecordShapeError(`${what} is not an object`);
  }
  return value as Fields;
}

export function integer(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new RecordShapeError(`${name} is not an integer`);
  }
  return value;
}

export function finite(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RecordShapeError(`${name} is not a number`);
  }
  return value;
}

export function text(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== "string") throw new RecordShapeError(`${name} is not a string`);
  return value;
}

/** A field whose value must be a member of an enumeration. */
export function oneOf<T extends string>(
  fields: Fields,
  name: string,
  is: (value: unknown) => value is T,
): T {
  const value = fields[name];
  if (!is(value)) throw new RecordShapeError(`${name} ${JSON.stringify(value)} is unknown`);
  return value;
}

/** Runs a parser that throws RecordShapeError; anything else it throws propagates. */
export function shapeOrReason<T>(parse: () => T): T | { reason: string } {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RecordShapeError) return { reason: error.message };
    throw error;
  }
}
