import { readFileSync } from 'node:fs';
import { printSubgraphSchema } from '@apollo/subgraph';
import {
  type GraphQLField,
  isEnumType,
  isObjectType,
  isScalarType,
  Kind,
  lexicographicSortSchema,
  parse,
  print,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { UNSERVABLE } from '../../src/datasources/polytomic/types.js';
import { schema } from '../../src/schema/index.js';

// The repository's copy of the public contract; CI checks it still equals the team's original.
const contract = parse(
  readFileSync(new URL('../../docs/contract.graphql', import.meta.url), 'utf8'),
);

describe('the served schema against the contract', () => {
  for (const definition of contract.definitions) {
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION) {
      it(`type ${definition.name.value} has every field, argument and nullability`, () => {
        const served = schema.getType(definition.name.value);
        expect(isObjectType(served), `${definition.name.value} is an object type`).toBe(true);
        if (!isObjectType(served)) return;
        const fields = served.getFields();
        for (const field of definition.fields ?? []) {
          const actual: GraphQLField<unknown, unknown> | undefined = fields[field.name.value];
          const where = `${definition.name.value}.${field.name.value}`;
          expect(actual?.type.toString(), where).toBe(print(field.type));
          for (const arg of field.arguments ?? []) {
            const servedArg = actual?.args.find((a) => a.name === arg.name.value);
            expect(servedArg?.type.toString(), `${where}(${arg.name.value})`).toBe(print(arg.type));
          }
          expect(actual?.args.length, `${where} has no extra required args`).toBe(
            field.arguments?.length ?? 0,
          );
        }
      });
    }
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
      it(`enum ${definition.name.value} has exactly the contract's values`, () => {
        const served = schema.getType(definition.name.value);
        expect(isEnumType(served)).toBe(true);
        if (!isEnumType(served)) return;
        // Order is not compared: the federation plugin sorts the subgraph schema.
        expect(
          served
            .getValues()
            .map((v) => v.name)
            .sort(),
        ).toEqual(definition.values?.map((v) => v.name.value).sort());
      });
    }
    if (definition.kind === Kind.SCALAR_TYPE_DEFINITION) {
      it(`scalar ${definition.name.value} exists`, () => {
        expect(isScalarType(schema.getType(definition.name.value))).toBe(true);
      });
    }
  }

  it('declares BulkSync as an entity keyed by id, with the contract @link', () => {
    const sdl = printSubgraphSchema(schema);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
    expect(sdl).toMatch(/type BulkSync\s+@key\(fields: "id"\)/);
  });

  it('describes every type and field', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('_') || type.name.startsWith('__')) continue;
      if (['String', 'Boolean', 'ID', 'Int', 'Float'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.name.startsWith('_') && !field.description)
            missing.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('published SDL', () => {
  it('matches the printSchema snapshot', async () => {
    await expect(printSchema(lexicographicSortSchema(schema))).toMatchFileSnapshot(
      './__snapshots__/schema.graphql.snap',
    );
  });

  it('schema.graphql is current (run `npm run schema:print` after a schema change)', () => {
    const published = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(published).toBe(`${printSubgraphSchema(schema).trim()}\n`);
  });
});

describe('the DateTime scalar', () => {
  it('sends UTC strings as they are and refuses the UNSERVABLE marker with a contract code', () => {
    const dateTime = schema.getType('DateTime');
    if (!isScalarType(dateTime)) throw new Error('DateTime is no scalar');
    expect(dateTime.serialize('2024-04-20T15:45:00.123456Z')).toBe('2024-04-20T15:45:00.123456Z');
    expect(() => dateTime.serialize(UNSERVABLE)).toThrow(
      expect.objectContaining({
        message: 'Polytomic sent a DateTime that is no RFC 3339 date-time.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE' },
      }),
    );
  });
});
