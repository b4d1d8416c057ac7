import { apiErrorReply, type Reply } from '../http-util.js';

/**
 * The JSON object a POST carries: an empty body counts as `{}`; a body that is not JSON is a
 * 400, and JSON that is not an object a 422 (Polytomic's validation status).
 */
export function jsonObject(body: string): Record<string, unknown> | Reply {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return apiErrorReply(400, 'request body is not valid JSON', 'bad_request');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** A 422 for a body that parses but does not validate. */
export function invalid(message: string): Reply {
  return apiErrorReply(422, message, 'validation_error');
}

/** A field that may be absent or null, else one of `values`. */
export function oneOf<T extends string>(
  body: Record<string, unknown>,
  field: string,
  values: readonly T[],
): T | undefined | Reply {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  return invalid(`${field} must be one of ${values.join(', ')}`);
}
