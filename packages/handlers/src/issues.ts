import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;

const ARTICLE_NOUN: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  tuple: 'an array',
  null: 'null',
  undefined: 'nothing',
};

/** `string`, `null`, `array`… — what an operator would call the value's type. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}

/** A short rendering of a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  return kindOf(value);
}

function bound(
  iss: { inclusive?: boolean | undefined; exact?: boolean | undefined },
  op: '>' | '<',
): string {
  if (iss.exact) return '=';
  return iss.inclusive === false ? op : `${op}=`;
}

function sizeMessage(
  iss: Extract<RawIssue, { code: 'too_small' | 'too_big' }>,
): string | undefined {
  const small = iss.code === 'too_small';
  const limit = String(small ? iss.minimum : iss.maximum);
  const op = bound(iss, small ? '>' : '<');
  switch (iss.origin) {
    case 'number':
    case 'int':
    case 'bigint':
      return `must be ${op} ${limit}, got ${show(iss.input)}`;
    case 'string':
      return `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
    case 'array':
    case 'set':
      return `must have ${small ? 'at least' : 'at most'} ${limit} item${limit === '1' ? '' : 's'}`;
    default:
      return undefined;
  }
}

function allowedKeys(iss: RawIssue): string {
  const shape = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)
    ?._zod?.def?.shape;
  const keys = shape ? Object.keys(shape) : [];
  return keys.length === 0 ? 'this payload takes no keys' : `allowed keys: ${keys.join(', ')}`;
}

/**
 * Per-parse error map: phrases issues for operators who typed the payload
 * into YAML. Schema-level messages still win; unknown codes fall back to zod's.
 */
export const payloadErrorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined)
        return `is required (expected ${ARTICLE_NOUN[iss.expected] ?? iss.expected})`;
      return `expected ${ARTICLE_NOUN[iss.expected] ?? iss.expected}, got ${kindOf(iss.input)}`;
    case 'too_small':
    case 'too_big':
      return sizeMessage(iss);
    case 'invalid_value':
      return iss.values.length === 1
        ? `expected ${show(iss.values[0])}, got ${show(iss.input)}`
        : `expected one of ${iss.values.map((v) => String(v)).join(', ')}, got ${show(iss.input)}`;
    case 'unrecognized_keys':
      return `unknown key (${allowedKeys(iss)})`;
    case 'not_multiple_of':
      return `must be a multiple of ${iss.divisor}, got ${show(iss.input)}`;
    default:
      return undefined;
  }
};

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `payload.headers["X-Id"]`, `payload.expectStatus[1]`. */
export function formatPath(path: readonly PropertyKey[], root = 'payload'): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENT.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(typeof seg === 'symbol' ? seg.toString() : seg)}]`;
  }
  return out;
}

/** One line per problem, each naming the field path. */
export function issueLines(
  issues: readonly Issue[],
  prefix: readonly PropertyKey[] = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...path, key])}: ${issue.message}`);
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      lines.push(...unionLines(issue, path));
    } else {
      lines.push(`${formatPath(path)}: ${issue.message}`);
    }
  }
  return lines;
}

/**
 * A union failed every branch. If exactly one branch got past the type check
 * (e.g. an array whose second item is bad), its issues are the useful ones;
 * otherwise say which types were expected. Needs `reportInput: true`.
 */
function unionLines(
  union: Extract<Issue, { code: 'invalid_union' }>,
  path: readonly PropertyKey[],
): string[] {
  const rootType = (b: readonly Issue[]) => {
    const only = b.length === 1 ? b[0] : undefined;
    return only?.code === 'invalid_type' && only.path.length === 0 ? only : undefined;
  };
  const deeper = union.errors.filter((b) => !rootType(b));
  if (deeper.length === 1 && deeper[0]) return issueLines(deeper[0], path);
  if (deeper.length === 0) {
    const expected = union.errors.map((b) => {
      const e = rootType(b)?.expected ?? 'unknown';
      return ARTICLE_NOUN[e] ?? e;
    });
    return [`${formatPath(path)}: expected ${expected.join(' or ')}, got ${kindOf(union.input)}`];
  }
  return [`${formatPath(path)}: ${union.message}`];
}

export function formatPayloadError(error: z.ZodError): string {
  return issueLines(error.issues).join('; ');
}
