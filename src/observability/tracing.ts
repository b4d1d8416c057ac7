import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type DocumentNode, Kind, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The gateway's tracer: a no-op until {@link startTracing} registers a provider. */
export const tracer = trace.getTracer('polytomic-sync-gateway');

/**
 * Exports spans over OTLP/HTTP to `<endpoint>/v1/traces` and makes W3C trace context the
 * propagation format (a router's `traceparent` parents our spans; ours goes to Polytomic).
 * Only called when OTEL_EXPORTER_OTLP_ENDPOINT is set: otherwise no SDK is loaded into the
 * process's hot path beyond the API's no-op tracer.
 */
export function startTracing(endpoint: string): { shutdown(): Promise<void> } {
  const provider = new NodeTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
      ),
    ],
  });
  provider.register();
  return {
    async shutdown() {
      await provider.forceFlush();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * A span per GraphQL operation, child of the caller's `traceparent` when it sent one. Upstream
 * calls made while executing (see client.ts) become its children through the active context.
 */
export function useTracing(): Plugin {
  const spans = new WeakMap<Request, Span>();
  return {
    onRequest({ request }) {
      const parent = propagation.extract(context.active(), Object.fromEntries(request.headers));
      spans.set(request, tracer.startSpan('graphql.request', { kind: SpanKind.SERVER }, parent));
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      const span = request && spans.get(request);
      if (!span) return;
      const { type, name } = operationOf(args.document, args.operationName);
      span.updateName(`graphql.${type} ${name}`.trim());
      const active = trace.setSpan(context.active(), span);
      setExecuteFn((execArgs) => context.with(active, () => executeFn(execArgs)));
    },
    onResponse({ request, response }) {
      const span = spans.get(request);
      if (!span) return;
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

function operationOf(document: DocumentNode, operationName: string | null | undefined) {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  return { type: operation?.operation ?? 'query', name: operation?.name?.value ?? '' };
}
