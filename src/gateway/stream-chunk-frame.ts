/**
 * One generation's content chunks as SSE frames. The envelope every chunk of a stream shares (id,
 * provider, model, object, created) is serialized once per stream and each chunk adds only its
 * choice: the bytes are exactly JSON.stringify of the whole chunk object, in the same key order,
 * without building and serializing that object again for every token (a stream has hundreds).
 */
import type { StreamChunk } from "../providers/spec.js";
import type { GenerationHeader } from "./wire-response.js";

/** Writes `chunk` as the frame `data: {id, provider, model, object, created, choices: [choice]}`. */
export type ChunkFrameWriter = (chunk: StreamChunk) => string;

/** The frame writer of the generation `header` names. */
export function chunkFrameWriter(header: GenerationHeader): ChunkFrameWriter {
  const envelope = JSON.stringify({ id: header.id, provider: header.provider, model: header.model, object: "chat.completion.chunk", created: header.created });
  const prefix = `data: ${envelope.slice(0, -1)},"choices":[{"index":0,"delta":`;
  return (chunk) =>
    `${prefix}${JSON.stringify(chunk.delta)},"finish_reason":${nullable(chunk.finishReason)},"native_finish_reason":${nullable(chunk.nativeFinishReason)},"logprobs":${nullable(chunk.logprobs)}}]}\n\n`;
}

/** A value as JSON, absent meaning null (as the frame always states these fields). */
function nullable(value: unknown): string {
  return value === null || value === undefined ? "null" : JSON.stringify(value);
}
