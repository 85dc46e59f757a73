/**
 * A deliberately rough prompt-token estimate (characters / 4, plus fixed costs per message and
 * image). It exists only to size the pre-request hold and to filter endpoints by context window;
 * billing always uses the token counts the upstream reports.
 */

/** Tokens assumed per image part (providers bill roughly 85–1,600 per image). */
export const IMAGE_TOKENS_ESTIMATE = 1_000;
const MESSAGE_OVERHEAD_TOKENS = 4;
const CHARS_PER_TOKEN = 4;

/** Tokens estimated for `chars` characters of text (the one characters-per-token rule). */
export function tokensForChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** Estimated prompt tokens for `messages` plus tool definitions. */
export function estimatePromptTokens(messages: readonly unknown[], tools?: unknown): number {
  let chars = 0;
  let images = 0;
  const walk = (value: unknown): void => {
    if (typeof value === "string") chars += value.length;
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") {
      if ((value as { type?: unknown }).type === "image_url") {
        images += 1;
        return;
      }
      Object.values(value).forEach(walk);
    }
  };
  messages.forEach(walk);
  if (tools !== undefined) chars += JSON.stringify(tools).length;
  return tokensForChars(chars) + messages.length * MESSAGE_OVERHEAD_TOKENS + images * IMAGE_TOKENS_ESTIMATE;
}

/** True when any message carries an image part. */
export function hasImageParts(messages: readonly unknown[]): boolean {
  return messages.some(
    (message) =>
      Array.isArray((message as { content?: unknown }).content) &&
      ((message as { content: unknown[] }).content).some((part) => (part as { type?: unknown } | null)?.type === "image_url"),
  );
}
