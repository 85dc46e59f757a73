/**
 * Chat Completions log probabilities (`content: [{token, logprob, top_logprobs: [{token, logprob}]}]`)
 * in the legacy Completions shape: parallel lists `tokens`, `token_logprobs`, `top_logprobs`
 * (one `{token: logprob}` map per token) and `text_offset` (where each token starts in the text).
 */

/** The legacy `logprobs` object of a `text_completion` choice. */
export interface TextLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: Record<string, number>[];
  text_offset: number[];
}

interface ChatTokenLogprob {
  token?: unknown;
  logprob?: unknown;
  top_logprobs?: unknown;
}

/** Translates chat log probabilities; `offset` is where their first token starts in the answer's text. */
export function textLogprobs(chat: unknown, offset: number): TextLogprobs | null {
  if (typeof chat !== "object" || chat === null) return null;
  const content = (chat as { content?: unknown }).content;
  if (!Array.isArray(content)) return null;
  const out: TextLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let at = offset;
  for (const item of content as ChatTokenLogprob[]) {
    const token = typeof item.token === "string" ? item.token : "";
    out.tokens.push(token);
    out.token_logprobs.push(typeof item.logprob === "number" ? item.logprob : null);
    const alternatives: Record<string, number> = {};
    for (const alternative of Array.isArray(item.top_logprobs) ? (item.top_logprobs as ChatTokenLogprob[]) : []) {
      if (typeof alternative.token === "string" && typeof alternative.logprob === "number") alternatives[alternative.token] = alternative.logprob;
    }
    out.top_logprobs.push(alternatives);
    out.text_offset.push(at);
    at += token.length;
  }
  return out;
}
