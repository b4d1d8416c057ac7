/** One operation the router sent a subgraph. */
export interface SubgraphExecution {
  subgraph: string;
  operationType: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Hive Gateway's runtime on a real port. */
export interface RunningRouter {
  /** `http://127.0.0.1:<port>/graphql` (graphql-ws and SSE on the same path). */
  url: string;
  /** Every operation the router sent a subgraph, in order. */
  executions: SubgraphExecution[];
  close(): Promise<void>;
}

export interface RouterOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** How the router subscribes to subgraphs. @default 'ws' */
  upstream?: 'ws' | 'sse';
}

export function startRouter(supergraphSdl: string, options?: RouterOptions): Promise<RunningRouter>;
