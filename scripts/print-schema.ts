// npm run schema:print: writes the subgraph SDL that routers compose (federation directives included).
import { writeFileSync } from 'node:fs';
import { printSubgraphSchema } from '@apollo/subgraph';
import { schema } from '../src/schema/index.js';

const sdl = `${printSubgraphSchema(schema).trim()}\n`;
if (process.argv.includes('--stdout')) process.stdout.write(sdl);
else writeFileSync(new URL('../schema.graphql', import.meta.url), sdl);
