/**
 * A small JSON Schema (2020-12) validator for the keywords the workflow schema
 * uses. It refuses keywords it does not know, so a schema that starts using a
 * new one fails the tests instead of being half checked.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description"]);
const KNOWN = new Set([
  ...ANNOTATIONS,
  "$ref",
  "type",
  "properties",
  "additionalProperties",
  "required",
  "items",
  "minItems",
  "anyOf",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
]);

/** Every place `value` breaks `schema`, as `path: problem`; empty when it is valid. */
export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(root, root, value, "", errors);
  return errors;
}

function check(root: Schema, schema: Schema, value: unknown, path: string, errors: string[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword))
      throw new Error(`validator: unsupported keyword "${keyword}" at ${path || "(root)"}`);
  }
  const at = path || "(root)";
  if (typeof schema.$ref === "string") {
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const target =
      name === undefined ? undefined : (root.$defs as Record<string, Schema> | undefined)?.[name];
    if (target === undefined) throw new Error(`validator: cannot resolve ${schema.$ref}`);
    check(root, target, value, path, errors);
  }
  if (schema.type !== undefined) {
    const types = [schema.type].flat() as string[];
    if (!types.some((type) => isType(value, type))) {
      errors.push(`${at}: expected ${types.join(" or ")}`);
      return;
    }
  }
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some(
      (branch) => validateAt(root, branch, value, path).length === 0,
    );
    if (!ok) errors.push(`${at}: matches none of anyOf`);
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength)
      errors.push(`${at}: too short`);
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength)
      errors.push(`${at}: too long`);
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      errors.push(`${at}: does not match ${schema.pattern}`);
    }
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${at}: below minimum`);
    if (typeof schema.maximum === "number" && value > schema.maximum) errors.push(`${at}: above maximum`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) {
      errors.push(`${at}: not above exclusiveMinimum`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      errors.push(`${at}: too few items`);
    if (schema.items !== undefined) {
      value.forEach((item, i) => check(root, schema.items as Schema, item, `${path}[${i}]`, errors));
    }
  }
  if (isObject(value)) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in value)) errors.push(`${at}: missing required "${key}"`);
    }
    for (const [key, item] of Object.entries(value)) {
      const child = path === "" ? key : `${path}.${key}`;
      if (key in properties) check(root, properties[key]!, item, child, errors);
      else if (schema.additionalProperties === false) errors.push(`${child}: not allowed`);
      else if (isObject(schema.additionalProperties))
        check(root, schema.additionalProperties, item, child, errors);
    }
  }
}

function validateAt(root: Schema, schema: Schema, value: unknown, path: string): string[] {
  const errors: string[] = [];
  check(root, schema, value, path, errors);
  return errors;
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    default:
      throw new Error(`validator: unsupported type "${type}"`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
