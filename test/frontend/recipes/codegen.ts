import type { CodegenConfig } from '@graphql-codegen/cli';

// From the gateway's committed schema.graphql (copy it into your app, or point at it):
// production turns introspection off, so the gateway's URL has no schema to give.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/**/*.{ts,tsx}'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: { scalars: { DateTime: 'string', SafeInt: 'number' } },
    },
  },
};

export default config;
