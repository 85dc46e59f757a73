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
      return { ...stream, chunks: redactedChunks(stream.chunks, context) };
    },
  };
}

async function* redactedChunks(chunks: AsyncIterable<StreamChunk>, context: AdapterContext): AsyncGenerator<StreamChunk> {
  try {
    yield* chunks;
  } catch (error) {
    throw redacted(error, context);
  }
}

function redacted(error: unknown, context: AdapterContext): unknown {
  return error instanceof UpstreamError ? redactUpstreamError(error, attemptSecrets(context)) : error;
}
