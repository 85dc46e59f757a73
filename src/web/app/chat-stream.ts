/** Streams a chat completion from the public API (server-sent events) and reports each piece. */
import { ApiError } from "./api.js";

export interface StreamUpdate {
  text: string;
  generationId?: string;
  /** usage.cost of the final chunk: USD charged, as the API wrote it. */
  cost?: string;
  tokens?: { prompt: number; completion: number };
}

/** Parses the raw number text of `usage.cost` out of a chunk so its digits are kept exactly. */
function rawCost(line: string): string | undefined {
  return /"cost":\s*(-?[\d.eE+-]+)/.exec(line)?.[1];
}

export async function streamChat(
  key: string,
  model: string,
  messages: { role: string; content: string }[],
  onUpdate: (update: StreamUpdate) => void,
  signal: AbortSignal,
): Promise<StreamUpdate> {
  const response = await fetch("/api/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-title": "farebox playground" },
    body: JSON.stringify({ model, messages, stream: true }),
    signal,
  });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new ApiError(response.status, body.error?.message ?? `The server answered ${response.status}`);
  }
  const state: StreamUpdate = { text: "" };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") continue;
      const chunk = JSON.parse(data) as {
        id?: string;
        error?: { message?: string; code?: number };
        choices?: { delta?: { content?: string | null } }[];
        usage?: { prompt_tokens: number; completion_tokens: number };
      };
      if (chunk.error) throw new ApiError(chunk.error.code ?? 502, chunk.error.message ?? "The stream failed");
      if (chunk.id) state.generationId = chunk.id;
      state.text += chunk.choices?.map((c) => c.delta?.content ?? "").join("") ?? "";
      if (chunk.usage) {
        state.tokens = { prompt: chunk.usage.prompt_tokens, completion: chunk.usage.completion_tokens };
        const cost = rawCost(data);
        if (cost !== undefined) state.cost = cost;
      }
      onUpdate({ ...state });
    }
  }
  return state;
}
