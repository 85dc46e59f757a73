/**
 * OpenAI's per-message `name` for protocols that have no such field. OpenRouter prepends it to
 * the text as `{name}: {content}` on non-OpenAI models (reference §1.1), so the model still sees
 * who spoke in a multi-party conversation.
 */
import type { ChatMessage, TextPart } from "../spec.js";

/**
 * The message with its `name` folded into the text (first non-empty text part) and the field
 * removed. Tool messages keep theirs: there it is the function's name, not a speaker. A message
 * without text (only images or tool calls) just loses the field.
 */
export function foldSpeakerName(message: ChatMessage): ChatMessage {
  if (message.role === "tool" || message.name === undefined) return message;
  const { name, ...rest } = message;
  const unnamed = rest as ChatMessage;
  if (name === "") return unnamed;
  const content = message.content;
  if (typeof content === "string") return content === "" ? unnamed : ({ ...rest, content: `${name}: ${content}` } as ChatMessage);
  if (!content) return unnamed;
  const first = content.findIndex((part) => part.type === "text" && part.text !== "");
  if (first === -1) return unnamed;
  const parts = content.map((part, index) => (index === first ? { ...(part as TextPart), text: `${name}: ${(part as TextPart).text}` } : part));
  return { ...rest, content: parts } as ChatMessage;
}
