import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useInputErrorCodes } from '../../../../src/http/plugins/errors/input-error-codes.js';
import { useValidationCache } from '../../../../src/http/plugins/speed/validation-cache.js';

const schema = createSchema({ typeDefs: 'type Query { a: Int, b: Int }', resolvers: {} });

/** A yoga with the cache in front of a validate function that counts its runs. */
function server(extraRuleWhen: (query: string) => boolean = () => false) {
  let validations = 0;
  // Adds a rule for some requests only: what the cache must never paper over.
  const sometimesAnotherRule: Plugin = {
    onValidate({ addValidationRule, context }) {
      const query = (context as { params?: { query?: string } }).params?.query ?? '';
      if (extraRuleWhen(query)) addValidationRule(() => ({}));
    },
  };
  const countValidations: Plugin = {
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        validations++;
        return validateFn(...args);
      });
    },
  };
  const yoga = createYoga({
    schema,
    parserAndValidationCache: { validationCache: false },
    plugins: [sometimesAnotherRule, useValidationCache(), countValidations, useInputErrorCodes()],
  });
  const ask = async (query: string) => {
    const response = await yoga.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };
  return { ask, validations: () => validations };
}

describe('useValidationCache', () => {
  it('validates each query text once, and again for a different text', async () => {
    const s = server();
    expect(await s.ask('{ a }')).toEqual({ data: { a: null } });
    expect(await s.ask('{ a }')).toEqual({ data: { a: null } });
    expect(s.validations()).toBe(1);
    expect(await s.ask('{ b }')).toEqual({ data: { b: null } });
    expect(s.validations()).toBe(2);
  });

  it('validates again when the same document comes with a different number of rules', async () => {
    let extra = false;
    const s = server(() => extra);
    await s.ask('{ a }');
    extra = true;
    await s.ask('{ a }');
    expect(s.validations()).toBe(2);
  });

  it('answers a cached invalid document with the same coded errors, without validating again', async () => {
    const s = server();
    const first = await s.ask('{ nope }');
    const second = await s.ask('{ nope }');
    expect(first.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      ['Cannot query field "nope" on type "Query".', 'BAD_USER_INPUT'],
    ]);
    expect(second).toEqual(first);
    expect(s.validations()).toBe(1);
  });
});
