/**
 * Reads the chat stream's SSE frames (what the chat use case hands out: `data: {chunk}\n\n`,
 * comment lines, `data: [DONE]`) back into objects, so a format translator can re-frame them in
 * its own wire format. Each frame the use case writes holds exactly one event.
 */

/** One chat stream frame, read. */
export type ChatFrame =
  | { kind: "chunk"; chunk: ChatStreamChunk }
  | { kind: "done" }
  /** A comment line (keep-alive) or an empty frame. */
  | { kind: "comment" };

/** A `chat.completion.chunk` (or the final usage chunk, or a mid-stream error), as the chat route sends it. */
export interface ChatStreamChunk {
  id: string;
  model: string;
  provider?: string;
  created: number;
  choices: Array<{
    index: number;
    delta: Record<string, unknown> & { content?: string | null; reasoning?: string | null; tool_calls?: unknown[]; reasoning_details?: unknown[] };
    finish_reason: string | null;
    native_finish_reason?: string | null;
    logprobs?: unknown;
  }>;
  usage?: Record<string, unknown> & { prompt_tokens: number; completion_tokens: number; cost?: number };
  error?: { code: number; message: string; metadata?: Record<string, unknown> };
}

/** Reads one frame written by the chat use case. */
export function readChatFrame(frame: string): ChatFrame {
  if (!frame.startsWith("data: ")) return { kind: "comment" };
  const data = frame.slice(6).trimEnd();
  if (data === "[DONE]") return { kind: "done" };
  return { kind: "chunk", chunk: JSON.parse(data) as ChatStreamChunk };
}

/** The chunks of a chat stream, comments and the terminator left out. */
export async function* chatChunks(frames: AsyncIterable<string>): AsyncGenerator<ChatStreamChunk, void, undefined> {
  for await (const frame of frames) {
    const read = readChatFrame(frame);
    if (read.kind === "chunk") yield read.chunk;
  }
}
