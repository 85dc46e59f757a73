/**
 * Normalized request → Anthropic Messages body (https://docs.anthropic.com/en/api/messages).
 * System and developer messages move to `system`; images become base64 or url source blocks;
 * assistant tool calls become `tool_use` blocks and tool messages `tool_result` blocks in a user
 * turn; consecutive turns of one role are merged. `max_tokens` is required by Anthropic.
 * A message's `name` is prepended to its text (`{name}: {content}`), a trailing assistant turn is
 * sent as a prefill for Claude to continue, `user` goes as its keyed hash in `metadata.user_id`,
 * and `response_format` follows json-output.ts.
 */
import type { AdapterContext, CacheControl, ChatMessage, ChatRequest, ContentPart, FilePart, ReasoningConfig, ReasoningDetail, TextPart, ToolChoice } from "../spec.js";
import { upstreamEndUser } from "../shared/end-user.js";
import { parseDataUrl } from "../shared/images.js";
import { accepts, textOf } from "../shared/json.js";
import { foldSpeakerName } from "../shared/speaker-name.js";
import { planJsonOutput } from "./json-output.js";
import { ANTHROPIC_REASONING_FORMAT, thinkingBlocksOf, toolInputOf } from "../../domain/anthropic-messages.js";

/** Output limit sent when the client set none (Anthropic requires one). */
export const DEFAULT_MAX_TOKENS = 4096;
const MIN_THINKING_BUDGET = 1024;
const EFFORT_BUDGET: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 16384, xhigh: 32000, max: 32000 };

type Block = Record<string, unknown>;
interface WireMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** The body for `POST /v1/messages`, and the forced JSON tool whose input is the answer, if any. */
export interface AnthropicRequest {
  body: Record<string, unknown>;
  /** Name of the tool forced to carry a `response_format` answer; its input is returned as text. */
  jsonTool?: string;
  /** Beta features the body uses, for the `anthropic-beta` header. */
  betas?: string[];
}

/** Documents given by `file_id` come from Anthropic's Files API, still a beta (https://docs.anthropic.com/en/docs/build-with-claude/files). */
export const FILES_API_BETA = "files-api-2025-04-14";

/** The JSON body for `POST /v1/messages`. */
export function toAnthropicBody(request: ChatRequest, context: AdapterContext, stream: boolean): Record<string, unknown> {
  return toAnthropicRequest(request, context, stream).body;
}

/** Builds the Messages request (see AnthropicRequest). */
export function toAnthropicRequest(request: ChatRequest, context: AdapterContext, stream: boolean): AnthropicRequest {
  const supported = context.supportedParameters;
  const messages = request.messages.map(foldSpeakerName);
  const turns = toMessages(messages);
  // A trailing assistant turn is a prefill: Claude continues it (and rejects it ending in whitespace).
  const prefill = trimPrefill(turns);
  const maxTokens = request.max_tokens ?? DEFAULT_MAX_TOKENS;
  const body: Record<string, unknown> = { model: request.model, max_tokens: maxTokens, messages: turns };
  // Anthropic cannot think before continuing a prefilled answer, so the prefill wins.
  const thinkingBudget = prefill ? undefined : thinkingBudgetFor(request.reasoning, maxTokens);
  const thinking = thinkingBudget !== undefined && accepts(supported, "reasoning");
  if (thinking) {
    body.thinking = { type: "enabled", budget_tokens: thinkingBudget };
  } else {
    // Anthropic rejects sampling changes while thinking, so they are only sent without it.
    if (request.temperature !== undefined && accepts(supported, "temperature")) body.temperature = Math.min(1, request.temperature);
    if (request.top_p !== undefined && accepts(supported, "top_p")) body.top_p = request.top_p;
    if (request.top_k !== undefined && accepts(supported, "top_k")) body.top_k = request.top_k;
  }
  if (request.stop !== undefined && request.stop.length > 0 && accepts(supported, "stop")) body.stop_sequences = request.stop;
  const endUser = upstreamEndUser(request);
  if (endUser !== undefined) body.metadata = { user_id: endUser };
  const sendsTools = request.tools !== undefined && request.tools.length > 0 && accepts(supported, "tools");
  if (sendsTools) {
    body.tools = request.tools?.map((tool) =>
      withCache(
        {
          name: tool.function.name,
          ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
          input_schema: tool.function.parameters ?? { type: "object", properties: {} },
        },
        tool.cache_control,
      ),
    );
    const choice = toToolChoice(request.tool_choice, request.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  }
  const json = planJsonOutput(request, { supported, sendsTools, thinking, prefill });
  let system = systemOf(messages);
  if (json?.kind === "native") body.output_config = json.outputConfig;
  if (json?.kind === "tool") {
    body.tools = [json.tool];
    body.tool_choice = { type: "tool", name: json.name };
  }
  if (json?.kind === "instruction") system = appendSystem(system, json.text);
  if (system !== undefined) body.system = system;
  // Anthropic's tiers: "auto" may use priority capacity, "standard_only" never does (OpenAI's "default").
  const tier = request.service_tier === "auto" ? "auto" : request.service_tier === "default" ? "standard_only" : undefined;
  if (tier !== undefined && accepts(supported, "service_tier")) body.service_tier = tier;
  if (stream) body.stream = true;
  const betas = usesUploadedFiles(request.messages) ? { betas: [FILES_API_BETA] } : {};
  return json?.kind === "tool" ? { body, jsonTool: json.name, ...betas } : { body, ...betas };
}

function usesUploadedFiles(messages: readonly ChatMessage[]): boolean {
  return messages.some((message) => message.role === "user" && Array.isArray(message.content) && message.content.some((part) => part.type === "file" && part.file.file_data === undefined));
}

/** Removes trailing whitespace from a final assistant turn; true when the conversation ends in one. */
function trimPrefill(turns: WireMessage[]): boolean {
  const last = turns.at(-1);
  if (last?.role !== "assistant") return false;
  const block = last.content.at(-1);
  if (block?.type === "text" && typeof block.text === "string") {
    const text = block.text.trimEnd();
    if (text === "") last.content.pop();
    else block.text = text;
    if (last.content.length === 0) turns.pop();
  }
  return turns.at(-1)?.role === "assistant";
}

function appendSystem(system: string | Block[] | undefined, text: string): string | Block[] {
  if (system === undefined) return text;
  if (typeof system === "string") return `${system}\n\n${text}`;
  return [...system, { type: "text", text }];
}

/**
 * System and developer messages as Anthropic's `system`: one string, or text blocks when a part
 * carries a cache breakpoint (which only the block form can hold).
 */
function systemOf(messages: ChatMessage[]): string | Block[] | undefined {
  const parts: TextPart[] = [];
  for (const message of messages) {
    if (message.role !== "system" && message.role !== "developer") continue;
    if (typeof message.content === "string") parts.push({ type: "text", text: message.content });
    else parts.push(...message.content);
  }
  if (parts.length === 0) return undefined;
  if (!parts.some((part) => part.cache_control)) return parts.map((part) => part.text).join("\n\n");
  return parts.map((part) => withCache({ type: "text", text: part.text }, part.cache_control));
}

function withCache(block: Block, cache: CacheControl | undefined): Block {
  return cache === undefined ? block : { ...block, cache_control: cache };
}

function lastCache(content: string | readonly ContentPart[] | null | undefined): CacheControl | undefined {
  if (typeof content === "string" || !content) return undefined;
  for (let index = content.length - 1; index >= 0; index--) {
    const cache = content[index]?.cache_control;
    if (cache) return cache;
  }
  return undefined;
}

function thinkingBudgetFor(reasoning: ReasoningConfig | undefined, maxTokens: number): number | undefined {
  if (!reasoning || reasoning.enabled === false || reasoning.effort === "none") return undefined;
  const wanted = reasoning.max_tokens ?? EFFORT_BUDGET[reasoning.effort ?? "medium"] ?? 8192;
  // The budget must stay below max_tokens and at or above Anthropic's minimum.
  const budget = Math.min(wanted, maxTokens - 1);
  return budget >= MIN_THINKING_BUDGET ? budget : undefined;
}

function toToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Block | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: "auto", ...noParallel } : undefined;
  if (choice === "none") return { type: "none" };
  if (choice === "auto") return { type: "auto", ...noParallel };
  if (choice === "required") return { type: "any", ...noParallel };
  return { type: "tool", name: choice.function.name, ...noParallel };
}

function toBlocks(message: ChatMessage): Block[] {
  switch (message.role) {
    case "user": {
      // Anthropic rejects empty text blocks; an empty turn is simply left out.
      if (typeof message.content === "string") return message.content === "" ? [] : [{ type: "text", text: message.content }];
      return message.content.filter((part) => part.type !== "text" || part.text !== "").flatMap((part): Block[] => {
        if (part.type === "text") return [withCache({ type: "text", text: part.text }, part.cache_control)];
        if (part.type === "file") return [withCache(documentBlock(part), part.cache_control)];
        // Claude reads no audio; routing sends audio only to endpoints that list "audio" input.
        if (part.type === "input_audio") return [];
        const inline = parseDataUrl(part.image_url.url);
        const source = inline ? { type: "base64", media_type: inline.mediaType, data: inline.data } : { type: "url", url: part.image_url.url };
        return [withCache({ type: "image", source }, part.cache_control)];
      });
    }
    case "assistant": {
      // signed thinking first: Anthropic checks it before the tool calls it led to
      const blocks: Block[] = thinkingBlocks(message.reasoning_details);
      const text = textOf(message.content);
      if (text !== "") blocks.push(withCache({ type: "text", text }, lastCache(message.content)));
      for (const call of message.tool_calls ?? []) {
        blocks.push(withCache({ type: "tool_use", id: call.id, name: call.function.name, input: toolInputOf(call.function.arguments) }, call.cache_control));
      }
      return blocks;
    }
    case "tool": {
      const failed = message.is_error === undefined ? {} : { is_error: message.is_error };
      return [withCache({ type: "tool_result", tool_use_id: message.tool_call_id, content: textOf(message.content), ...failed }, lastCache(message.content))];
    }
    default:
      return [];
  }
}

/**
 * A `file` part as a document block (https://docs.anthropic.com/en/docs/build-with-claude/pdf-support):
 * inline base64 (a PDF, or plain text), a URL, or a file uploaded through the Files API.
 */
function documentBlock(part: FilePart): Block {
  const { file_data: data, file_id: fileId, filename } = part.file;
  const title = filename === undefined ? {} : { title: filename };
  if (data === undefined) return { type: "document", source: { type: "file", file_id: fileId }, ...title };
  const inline = parseDataUrl(data);
  if (!inline) return { type: "document", source: { type: "url", url: data }, ...title };
  if (inline.mediaType === "text/plain") {
    return { type: "document", source: { type: "text", media_type: "text/plain", data: Buffer.from(inline.data, "base64").toString("utf8") }, ...title };
  }
  return { type: "document", source: { type: "base64", media_type: inline.mediaType, data: inline.data }, ...title };
}

/**
 * An earlier answer's reasoning_details as Anthropic thinking blocks, signatures kept (joined per
 * index, see thinkingBlocksOf). Unsigned text or other providers' details cannot be verified by
 * Anthropic and are left out.
 */
function thinkingBlocks(details: readonly ReasoningDetail[] | undefined): Block[] {
  const claudes = (details ?? []).filter((detail) => detail.format === undefined || detail.format === null || detail.format === ANTHROPIC_REASONING_FORMAT || detail.format === "unknown");
  return thinkingBlocksOf(claudes).filter((block) => block.type === "redacted_thinking" || block.signature !== "");
}

function toMessages(messages: ChatMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const message of messages) {
    if (message.role === "system" || message.role === "developer") continue;
    const role = message.role === "assistant" ? "assistant" : "user";
    const blocks = toBlocks(message);
    if (blocks.length === 0) continue;
    const previous = out.at(-1);
    if (previous && previous.role === role) previous.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return out;
}
