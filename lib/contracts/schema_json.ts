/**
 * Reading facts out of an Avro schema's JSON text: its fields, an enum's symbols, and the values
 * a string field's `doc` lists. Free of avsc, so that the browser bundle can use it too.
 */

interface FieldJson {
  name: string;
  type: unknown;
  doc?: string;
}

function fieldOf(schemaText: string, name: string): FieldJson {
  const schema = JSON.parse(schemaText) as { name?: string; fields?: FieldJson[] };
  const field = schema.fields?.find((f) => f.name === name);
  if (!field) throw new Error(`schema ${schema.name} has no field ${name}`);
  return field;
}

/** The symbols of an enum field, in the schema's order. */
export function enumSymbols(schemaText: string, name: string): string[] {
  const type = fieldOf(schemaText, name).type as { type?: string; symbols?: string[] };
  if (type?.type !== "enum" || !Array.isArray(type.symbols)) {
    throw new Error(`field ${name} is not an enum`);
  }
  return [...type.symbols];
}

/** The values a string field's doc lists ("a, b or c"), in the doc's order. */
export function documentedValues(schemaText: string, name: string): string[] {
  const doc = fieldOf(schemaText, name).doc ?? "";
  const values = doc.split(/\s*,\s*|\s+or\s+/).map((v) => v.trim());
  if (values.some((v) => !/^[a-z][a-z0-9_]*$/.test(v))) {
    throw new Error(`the doc of field ${name} is not a list of values: ${JSON.stringify(doc)}`);
  }
  return values;
}
