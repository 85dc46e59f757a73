/**
 * A deliberately rough prompt-token estimate (characters / 4, plus fixed costs per message and
 * image). It exists only to size the pre-request hold and to filter endpoints by context window;
 * billing always uses the token counts the upstream reports.
 */

/** Tokens assumed per image part (providers bill roughly 85–1,600 per image). */
export const IMAGE_TOKENS_ESTIMATE = 1_000;
/**
 * Decoded bytes per token assumed for an inline document (a PDF page of a few kilobytes costs
 * Anthropic and Gemini 1,500–3,000 tokens as text plus page image) and for inline audio (about
 * 32 tokens per second of 16 kB/s compressed audio on Gemini, fewer on OpenAI).
 */
const FILE_BYTES_PER_TOKEN = 4;
const AUDIO_BYTES_PER_TOKEN = 500;
/** Tokens assumed for a document given by URL or file id (its size is unknown here). */
export const FILE_TOKENS_ESTIMATE = 2_000;
const MESSAGE_OVERHEAD_TOKENS = 4;
const CHARS_PER_TOKEN = 4;

/** Tokens estimated for `chars` characters of text (the one characters-per-token rule). */
export function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** Estimated prompt tokens for `messages` plus tool definitions. */
export function estimatePromptTokens(messages: readonly unknown[], tools?: unknown): number {
  const tally: Tally = { chars: 0, images: 0, mediaTokens: 0 };
  for (const message of messages) walk(message, tally);
  if (tools !== undefined) tally.chars += JSON.stringify(tools).length;
  return tokensForChars(tally.chars) + messages.length * MESSAGE_OVERHEAD_TOKENS + tally.images * IMAGE_TOKENS_ESTIMATE + tally.mediaTokens;
}

interface Tally {
  chars: number;
  images: number;
  mediaTokens: number;
}

/**
 * Counts the text, images and media inside `value`. A plain function over a tally and a for-in
 * over own properties, rather than a closure and Object.values: this runs on every request, and
 * the closure and the arrays were 0.4 KB of allocation per request (bench/RESULTS.md, "Fourth pass").
 */
function walk(value: unknown, tally: Tally): void {
  if (typeof value === "string") tally.chars += value.length;
  else if (Array.isArray(value)) for (const item of value) walk(item, tally);
  else if (value !== null && typeof value === "object") {
    const part = value as { type?: unknown; file?: { file_data?: unknown }; input_audio?: { data?: unknown } };
    if (part.type === "image_url") {
      tally.images += 1;
      return;
    }
    if (part.type === "file") {
      const data = typeof part.file?.file_data === "string" ? part.file.file_data : "";
      tally.mediaTokens += data.startsWith("data:") ? Math.ceil(base64Bytes(data) / FILE_BYTES_PER_TOKEN) : FILE_TOKENS_ESTIMATE;
      return;
    }
    if (part.type === "input_audio") {
      const data = typeof part.input_audio?.data === "string" ? part.input_audio.data : "";
      tally.mediaTokens += Math.ceil(base64Bytes(data) / AUDIO_BYTES_PER_TOKEN);
      return;
    }
    for (const key in value) if (Object.hasOwn(value, key)) walk((value as Record<string, unknown>)[key], tally);
  }
}

/** Decoded size of base64 text (a data URL's header is counted too: a rough figure is enough). */
function base64Bytes(text: string): number {
  return Math.floor((text.length * 3) / 4);
}

/** True when any message carries an image part. */
export function hasImageParts(messages: readonly unknown[]): boolean {
  return hasPartOfType(messages, "image_url");
}

/** True when any message carries a content part of `type` (`image_url`, `file`, `input_audio`). */
export function hasPartOfType(messages: readonly unknown[], type: string): boolean {
  return messages.some(
    (message) =>
      Array.isArray((message as { content?: unknown }).content) &&
      ((message as { content: unknown[] }).content).some((part) => (part as { type?: unknown } | null)?.type === type),
  );
}
