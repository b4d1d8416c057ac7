// Types every board operation from the committed schema.graphql (production turns introspection
// off, so the schema file is the source). `npm run check` runs this with --check: it fails when
// an operation no longer validates against the schema, or when board/src/gql is out of date.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['board/src/**/*.{ts,tsx}', '!board/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'board/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Operations as plain strings: the board then sends them without bundling graphql-js.
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', SafeInt: 'number' },
      },
    },
  },
};

export default config;
