import type { GraphQLResponse } from './test-app.js';

/** `data[name]` of an answer, typed by the test; fails the test when the field is missing or null. */
export function dataOf<T>(answer: Pick<GraphQLResponse, 'body' | 'text'>, name: string): T {
  const value = answer.body.data?.[name];
  if (value === undefined || value === null) throw new Error(`no ${name} in ${answer.text}`);
  return value as T;
}
