/**
 * Reasoning between the two shapes: chat's `reasoning_details` (OpenRouter's `reasoning.text`
 * with its signature, `reasoning.summary`, `reasoning.encrypted`) and the Responses `reasoning`
 * item (content `reasoning_text`, `summary` `summary_text`, `encrypted_content`, and OpenRouter's
 * `signature` and `format`). One item holds one block of reasoning: a new text block (another
 * index, or text after a signature) or a second encrypted blob starts the next item, so each
 * signature stays with the text it signs when the item is passed back.
 */
import type { InputItem } from "./request-schema.js";

type ReasoningInput = Extract<InputItem, { type: "reasoning" }>;

/** One reasoning detail as chat carries it. */
export interface ReasoningDetail {
  type: string;
  text?: string | null;
  summary?: string;
  data?: string;
  signature?: string | null;
  format?: string | null;
  index?: number;
  id?: string | null;
}

/** A reasoning item being put together from details. */
export interface ReasoningDraft {
  id: string;
  text: string;
  hasText: boolean;
  summary: string;
  hasSummary: boolean;
  signature?: string;
  encrypted?: string;
  format?: string;
  textIndex?: number;
}

/** A passed-back reasoning item as chat reasoning details. */
export function reasoningDetailsOf(item: ReasoningInput): Record<string, unknown>[] {
  const format = item.format ? { format: item.format } : {};
  const details: Record<string, unknown>[] = [];
  for (const part of item.summary ?? []) details.push({ type: "reasoning.summary", summary: part.text, ...format });
  const texts = item.content ?? [];
  texts.forEach((part, index) => {
    const signed = index === texts.length - 1 && item.signature ? { signature: item.signature } : {};
    details.push({ type: "reasoning.text", text: part.text, ...signed, ...format, index: 0 });
  });
  if (texts.length === 0 && item.signature) details.push({ type: "reasoning.text", text: "", signature: item.signature, ...format, index: 0 });
  if (item.encrypted_content) details.push({ type: "reasoning.encrypted", data: item.encrypted_content, ...(item.id ? { id: item.id } : {}), ...format });
  return details;
}

/** Whether `detail` belongs to a new reasoning item rather than to `draft`. */
export function startsNewItem(draft: ReasoningDraft | undefined, detail: ReasoningDetail): boolean {
  if (!draft) return true;
  if (detail.type === "reasoning.encrypted") return draft.encrypted !== undefined;
  if (detail.type !== "reasoning.text") return false;
  if (draft.signature !== undefined && (detail.text ?? "") !== "") return true;
  return draft.textIndex !== undefined && detail.index !== undefined && detail.index !== draft.textIndex;
}

/** A fresh draft. */
export function newDraft(id: string): ReasoningDraft {
  return { id, text: "", hasText: false, summary: "", hasSummary: false };
}

/** What `detail` adds to `draft`: the text and summary pieces (for stream deltas). */
export function addDetail(draft: ReasoningDraft, detail: ReasoningDetail): { text: string; summary: string } {
  if (detail.format) draft.format = detail.format;
  switch (detail.type) {
    case "reasoning.text": {
      const text = detail.text ?? "";
      if (detail.index !== undefined) draft.textIndex = detail.index;
      if (detail.signature) draft.signature = detail.signature;
      if (text !== "") draft.hasText = true;
      draft.text += text;
      return { text, summary: "" };
    }
    case "reasoning.summary": {
      const summary = detail.summary ?? "";
      if (summary !== "") draft.hasSummary = true;
      draft.summary += summary;
      return { text: "", summary };
    }
    case "reasoning.encrypted":
      draft.encrypted = detail.data ?? "";
      return { text: "", summary: "" };
    default:
      return { text: "", summary: "" };
  }
}

/** The finished `reasoning` output item; `encrypted_content` only when the request's `include` asks for it. */
export function reasoningItem(draft: ReasoningDraft, includeEncrypted: boolean, status = "completed"): Record<string, unknown> {
  return {
    type: "reasoning",
    id: draft.id,
    summary: draft.hasSummary ? [{ type: "summary_text", text: draft.summary }] : [],
    ...(draft.hasText ? { content: [{ type: "reasoning_text", text: draft.text }] } : {}),
    ...(includeEncrypted && draft.encrypted !== undefined ? { encrypted_content: draft.encrypted } : {}),
    ...(draft.signature !== undefined ? { signature: draft.signature } : {}),
    ...(draft.format !== undefined ? { format: draft.format } : {}),
    status,
  };
}

/** The details of one chat message (or its plain `reasoning` text when it has no details). */
export function messageReasoning(message: { reasoning?: unknown; reasoning_details?: unknown }): ReasoningDetail[] {
  if (Array.isArray(message.reasoning_details) && message.reasoning_details.length > 0) return message.reasoning_details as ReasoningDetail[];
  return typeof message.reasoning === "string" && message.reasoning !== "" ? [{ type: "reasoning.text", text: message.reasoning }] : [];
}

/** The reasoning items of a whole message, in order. */
export function reasoningDrafts(details: readonly ReasoningDetail[], idFor: (n: number) => string): ReasoningDraft[] {
  const drafts: ReasoningDraft[] = [];
  for (const detail of details) {
    if (startsNewItem(drafts.at(-1), detail)) drafts.push(newDraft(idFor(drafts.length)));
    addDetail(drafts.at(-1)!, detail);
  }
  return drafts;
}
