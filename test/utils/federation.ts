import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  type ConstDirectiveNode,
  type DocumentNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  parse,
  print,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { Simulator } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { leftover } from './leftovers.js';
import { listen } from './net.js';

/** The subgraph name this gateway has in the company graph. */
export const BULK_SYNC_SUBGRAPH = 'polytomic';
/** The other team's test subgraph. */
export const PIPELINE_SUBGRAPH = 'pipelines';

/**
 * Another team's subgraph, written independently of this repository: it owns `Pipeline` and
 * only references `BulkSync` by its key (`resolvable: false`: it cannot resolve one itself).
 */
export const PIPELINE_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Pipeline @key(fields: "id") {
    id: ID!
    name: String!
    bulkSync: BulkSync
  }

  type BulkSync @key(fields: "id", resolvable: false) {
    id: ID!
  }

  type Query {
    pipelines: [Pipeline!]!
  }
`;

const STATUSES = ['running', 'exporting', 'completed'] as const;

/** Ten syncs the tests register with the simulator, each with its own status and count. */
export const SYNC_IDS: readonly string[] = Array.from({ length: 10 }, (_, i) => syncId(i + 1));

/** Registers `SYNC_IDS` with the simulator: sync n runs with status n % 3 and 1000 + n records. */
export function addSyncs(sim: Simulator): void {
  for (const [n, id] of SYNC_IDS.entries()) {
    sim.addSync(id, envelope({ status: STATUSES[n % 3] ?? null, recordCount: 1000 + n }));
  }
}

/** What this subgraph answers for `SYNC_IDS[n]` to `id status { currentExecution { status recordCount } }`. */
export function syncEntity(n: number) {
  return {
    id: SYNC_IDS[n],
    status: {
      currentExecution: { status: STATUSES[n % 3]?.toUpperCase(), recordCount: 1000 + n },
    },
  };
}

/** One row the Pipeline subgraph serves. */
export interface PipelineRow {
  id: string;
  name: string;
  /** The bulk sync it references, if any. */
  bulkSyncId: string | null;
}

/** The committed subgraph SDL (`npm run schema:print`). */
export function committedSdl(): string {
  return readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
}

/** Composes with Apollo's own composition library (the one Apollo Router and Gateway use). */
export function composeApollo(subgraphs: readonly { name: string; sdl: string; url?: string }[]) {
  return composeServices(
    subgraphs.map(({ name, sdl, url }) => ({
      name,
      typeDefs: parse(sdl),
      ...(url !== undefined && { url }),
    })),
  );
}

/** What a supergraph says about some of its types: who owns what, and how entities join. */
export interface SupergraphSummary {
  /** `join__Graph` values: enum value → `name url`. */
  graphs: Record<string, string>;
  /** Per type: its `@join__type` directives, and per field its type and `@join__field` directives. */
  types: Record<string, { joins: string[]; fields: Record<string, string> }>;
}

/** Reads the join metadata of `typeNames` from a supergraph SDL (any composer's). */
export function summarizeSupergraph(
  supergraphSdl: string,
  typeNames: readonly string[],
): SupergraphSummary {
  const summary: SupergraphSummary = { graphs: {}, types: {} };
  const printJoins = (directives: readonly ConstDirectiveNode[] | undefined, name: string) =>
    (directives ?? []).filter((d) => d.name.value === name).map((d) => print(d));
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const args = Object.fromEntries(
          (value.directives?.[0]?.arguments ?? []).map((a) => [a.name.value, print(a.value)]),
        );
        summary.graphs[value.name.value] = `${args['name']} ${args['url']}`;
      }
    }
    if (
      definition.kind === Kind.OBJECT_TYPE_DEFINITION &&
      typeNames.includes(definition.name.value)
    ) {
      const fields: Record<string, string> = {};
      for (const field of definition.fields ?? []) {
        const joins = printJoins(field.directives, 'join__field');
        fields[field.name.value] = [`${print(field.type)}`, ...joins].join(' ');
      }
      summary.types[definition.name.value] = {
        joins: printJoins(definition.directives, 'join__type'),
        fields,
      };
    }
  }
  return summary;
}

/** The Pipeline subgraph on a real port: `@apollo/subgraph`'s schema served by graphql-yoga. */
export interface PipelineSubgraph {
  /** The subgraph endpoint, `http://127.0.0.1:<port>/graphql`. */
  url: string;
  /** What `Query.pipelines` returns; tests replace it. */
  rows: PipelineRow[];
  close(): Promise<void>;
}

/** `Query.pipelines` and `Pipeline` of a Pipeline subgraph, over its current `rows`. */
export function pipelineResolvers(subgraph: { rows: PipelineRow[] }) {
  return {
    Query: { pipelines: () => subgraph.rows },
    Pipeline: {
      __resolveReference: (reference: { id: string }) =>
        subgraph.rows.find((row) => row.id === reference.id) ?? null,
      bulkSync: (row: PipelineRow) => (row.bulkSyncId === null ? null : { id: row.bulkSyncId }),
    },
  };
}

export async function startPipelineSubgraph(rows: PipelineRow[] = []): Promise<PipelineSubgraph> {
  const subgraph: PipelineSubgraph = { url: '', rows, close: async () => {} };
  const schema = buildSubgraphSchema({
    typeDefs: parse(PIPELINE_SDL),
    resolvers: pipelineResolvers(subgraph),
  });
  Object.assign(subgraph, await serveSubgraph(schema));
  return subgraph;
}

/**
 * Serves a subgraph schema with yoga on a free port: its /graphql URL and how to stop it (also
 * done with the leftovers).
 */
export async function serveSubgraph(
  schema: GraphQLSchema,
): Promise<{ url: string; close: () => Promise<void> }> {
  const yoga = createYoga({ schema, logging: false, maskedErrors: false, landingPage: false });
  const { url, close } = await listen(createServer(yoga));
  return { url: `${url}/graphql`, close };
}

/** `{ _service { sdl } }` of a running subgraph, over HTTP as a router fetches it. */
export async function fetchSdl(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
  const sdl = body.data?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error(`no _service.sdl from ${url}`);
  return sdl;
}

/** One operation a gateway sent to a subgraph. */
export interface SubgraphFetch {
  subgraph: string;
  query: string;
  variables: Record<string, unknown>;
}

/** What a gateway answered, errors formatted as a client receives them. */
export interface GatewayResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

/** A gateway in this process, executing operations against real subgraphs over HTTP. */
export interface Router {
  execute(query: string, variables?: Record<string, unknown>): Promise<GatewayResult>;
  /** Every subgraph operation the gateway sent, in order. */
  fetches: SubgraphFetch[];
  /** Warnings and errors the gateway logged. */
  logged: string[];
  stop(): Promise<void>;
}

type GatewayExecutor = ApolloGateway['executor'];
type GatewayRequestContext = Parameters<GatewayExecutor>[0];

/**
 * `@apollo/gateway` loaded from a supergraph SDL, in this process, stopped with the leftovers.
 * The choice: @apollo/server is not a dependency and is not needed, because the gateway's
 * `executor` (what Apollo Server calls once it has parsed and validated a request) is the whole
 * router path: it validates variables, plans with `@apollo/query-planner`, fetches from each
 * subgraph over real HTTP (`RemoteGraphQLDataSource`) and merges. Here it gets the request
 * context Apollo Server would build; every subgraph fetch is recorded on the way out.
 */
export async function startApolloGateway(supergraphSdl: string): Promise<Router> {
  const fetches: SubgraphFetch[] = [];
  const logged: string[] = [];
  const log = (level: string) => (message?: unknown) => {
    logged.push(`${level}: ${String(message)}`);
  };
  const logger = {
    debug: () => {},
    info: () => {},
    warn: log('warn'),
    error: log('error'),
  };
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource({
        ...(url !== undefined && { url }),
        willSendRequest: ({ request }) => {
          fetches.push({
            subgraph: name,
            query: request.query ?? '',
            variables: { ...request.variables },
          });
        },
      }),
  });
  const { schema, executor } = await gateway.load();
  const stop = leftover('Apollo gateway', () => gateway.stop());
  const cache = new Map<string, string>();
  return {
    fetches,
    logged,
    async execute(query, variables = {}) {
      const document: DocumentNode = parse(query);
      const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error('no operation');
      const context = {
        request: { query, variables },
        logger,
        schema,
        schemaHash: 'test' as GatewayRequestContext['schemaHash'],
        context: {},
        cache: {
          get: async (key: string) => cache.get(key),
          set: async (key: string, value: string) => {
            cache.set(key, value);
          },
          delete: async (key: string) => cache.delete(key),
        },
        queryHash: createHash('sha256').update(query).digest('hex'),
        document,
        source: query,
        operationName: null,
        operation,
        metrics: {},
        overallCachePolicy: undefined,
      } satisfies GatewayRequestContext;
      const result = await executor(context);
      return {
        ...(result.data !== undefined && { data: result.data }),
        ...(result.errors && { errors: result.errors.map(formatError) }),
      };
    },
    stop,
  };
}

/**
 * An error as a client receives it. The gateway returns GraphQLErrors, except for some failures
 * of a whole fetch, which it returns as they were thrown.
 */
function formatError(error: unknown): GraphQLFormattedError {
  if (error instanceof GraphQLError) return error.toJSON();
  return { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
