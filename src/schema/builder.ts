import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import type { Context } from '../context.js';
import { UNSERVABLE } from '../datasources/polytomic/types.js';
import { unreadableTime } from './upstream-values.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: true;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: string };
    SafeInt: { Input: number; Output: number };
  };
}>({
  // Fields are nullable unless marked (Pothos' default, spelled out in the type above): Polytomic
  // marks no response field required, so non-null is the exception in the contract.
  plugins: [DirectivePlugin, FederationPlugin],
});

builder.addScalarType(
  'DateTime',
  new GraphQLScalarType({
    ...DateTimeResolver.toConfig(),
    description: 'RFC 3339 date-time string in UTC, e.g. 2024-04-20T15:45:00Z.',
    // The datasource already normalised timestamps to UTC strings; sending them as they are keeps
    // Polytomic's own precision (graphql-scalars would re-render every value with milliseconds).
    // The UNSERVABLE marker is a string too: refused here as well as by every resolver
    // (readableTime), so a field added without that check cannot send it as a date.
    serialize: (value) => {
      if (value === UNSERVABLE) throw unreadableTime('DateTime');
      return typeof value === 'string'
        ? value
        : (DateTimeResolver.serialize(value) as Date).toISOString();
    },
  }),
);

builder.addScalarType(
  'SafeInt',
  new GraphQLScalarType({
    ...SafeIntResolver.toConfig(),
    description:
      'Whole number between -(2^53-1) and 2^53-1, sent as a JSON number. Used for counts that can exceed 32 bits.',
  }),
);

builder.queryType({ description: 'Read Polytomic bulk sync status.' });
