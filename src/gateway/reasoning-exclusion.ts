/**
 * `reasoning.exclude: true`: the model reasons (and the tokens are billed), but the answer the
 * client receives carries no reasoning text and no reasoning_details, complete or streamed.
 * Protocols with a switch for it (Gemini's includeThoughts) are also told upstream.
 */
import type { ChatRequest, ChatResponse, StreamChunk, UpstreamStream } from "../providers/spec.js";

/** True when the request asked for its reasoning to be left out of the answer. */
export function excludesReasoning(request: ChatRequest): boolean {
  return request.reasoning?.exclude === true;
}

/** The response without reasoning. */
export function withoutReasoning(response: ChatResponse): ChatResponse {
  const { reasoning_details: _details, ...message } = response.message;
  return { ...response, message: { ...message, reasoning: null } };
}

/** The stream with reasoning removed from every chunk (chunks left empty are still passed on, and skipped as frames). */
export function withoutReasoningStream(stream: UpstreamStream): UpstreamStream {
  const chunks = stream.chunks;
  return {
    ...stream,
    close: () => stream.close(),
    chunks: (async function* (): AsyncGenerator<StreamChunk> {
      for await (const chunk of chunks) {
        const { reasoning: _reasoning, reasoning_details: _details, ...delta } = chunk.delta;
        yield { ...chunk, delta };
      }
    })(),
  };
}
