/**
 * Wraps an adapter so that no error leaving it carries the attempt's credentials: every
 * UpstreamError from `complete`, `embed`, from opening a stream or from reading one is passed through
 * redactUpstreamError with the attempt's API key and extra header values.
 */
import { attemptSecrets, redactUpstreamError } from "../upstream-error.js";
import { UpstreamError, type AdapterContext, type EmbeddingRequest, type ProviderAdapter, type StreamChunk, type UpstreamStream } from "../spec.js";

/** The adapter with every upstream error redacted of the secrets it was sent with. */
export function withSecretsRedacted(adapter: ProviderAdapter): ProviderAdapter {
  const embed = adapter.embed?.bind(adapter);
  return {
    protocol: adapter.protocol,
    ...(embed
      ? {
          async embed(request: EmbeddingRequest, context: AdapterContext) {
            try {
              return await embed(request, context);
            } catch (error) {
              throw redacted(error, context);
            }
          },
        }
      : {}),
    async complete(request, context) {
      try {
        return await adapter.complete(request, context);
      } catch (error) {
        throw redacted(error, context);
      }
    },
    async stream(request, context) {
      let stream: UpstreamStream;
      try {
        stream = await adapter.stream(request, context);
      } catch (error) {
        throw redacted(error, context);
      }
      return { ...stream, chunks: new RedactedChunks(stream.chunks, context) };
    },
  };
}

/**
 * The chunks, a failure while reading them redacted. A plain iterator rather than an async
 * generator: a generator's delegation (yield*) costs several promise turns per chunk, this one
 * promise (bench/stream-frames-cpu.ts). A class rather than an object literal with a computed
 * `[Symbol.asyncIterator]` method, which V8 builds through a slow runtime call on every stream
 * (0.6–0.85 µs against 0.02–0.04 µs in a loop; perf, bench/RESULTS.md).
 */
class RedactedChunks implements AsyncIterable<StreamChunk> {
  constructor(
    private readonly chunks: AsyncIterable<StreamChunk>,
    private readonly context: AdapterContext,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<StreamChunk> {
    const iterator = this.chunks[Symbol.asyncIterator]();
    const fail = (error: unknown): never => {
      throw redacted(error, this.context);
    };
    return {
      next: () => iterator.next().then(undefined, fail),
      return: (value?: unknown) => (iterator.return ? iterator.return(value).then(undefined, fail) : Promise.resolve({ done: true as const, value: undefined })),
    };
  }
}

function redacted(error: unknown, context: AdapterContext): unknown {
  return error instanceof UpstreamError ? redactUpstreamError(error, attemptSecrets(context)) : error;
}
