/**
 * An Anthropic Messages request → the OpenRouter chat request the chat use case takes. The
 * mapping keeps what an Anthropic upstream needs to get the request back unchanged (the
 * provider adapter maps the other way): `system` blocks become a system message whose parts keep
 * their `cache_control`; images become `image_url` parts (base64 as data URLs); documents become
 * `file` parts; `tool_result` blocks become tool messages in their order, with the user's other
 * blocks after them; thinking blocks become `reasoning_details` (`reasoning.text` with its
 * signature, `reasoning.encrypted` for redacted thinking); `tool_use` blocks become tool calls;
 * a `tool_use`'s `cache_control` and a `tool_result`'s `is_error` ride on them as farebox's chat extensions.
 */
import { ANTHROPIC_REASONING_FORMAT } from "../../domain/anthropic-messages.js";
import { badRequest } from "../../domain/errors.js";
import { parseBody } from "../../domain/invalid-body.js";
import { messagesRequestSchema, type ContentBlock, type MessagesRequest } from "./request-schema.js";

type Json = Record<string, unknown>;
type Block<T extends ContentBlock["type"]> = Extract<ContentBlock, { type: T }>;

/** Validates a Messages body (400 naming the field) and translates it to a chat request body. */
export function messagesToChat(body: unknown): Json {
  return chatRequestOf(parseBody(messagesRequestSchema, body));
}

/** A validated Messages request as a chat request body. */
export function chatRequestOf(request: MessagesRequest): Json {
  const chat: Json = { messages: [...systemMessages(request.system), ...request.messages.flatMap((message, index) => chatMessages(message, index))] };
  const copy = (from: keyof MessagesRequest, to: string = from) => {
    if (request[from] !== undefined) chat[to] = request[from];
  };
  copy("model");
  copy("models");
  copy("max_tokens");
  copy("stream");
  copy("temperature");
  copy("top_p");
  copy("top_k");
  copy("cache_control");
  copy("provider");
  copy("session_id");
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0) chat.stop = request.stop_sequences;
  if (request.metadata?.user_id) chat.user = request.metadata.user_id;
  if (request.service_tier !== undefined) chat.service_tier = request.service_tier === "auto" ? "auto" : "default";
  if (request.tools !== undefined && request.tools.length > 0) {
    chat.tools = request.tools.map((tool) =>
      withCache(
        { type: "function", function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.input_schema } },
        tool.cache_control,
      ),
    );
  }
  const choice = request.tool_choice;
  if (choice !== undefined) {
    chat.tool_choice = choice.type === "any" ? "required" : choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
    if (choice.type !== "none" && choice.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
  }
  const format = request.output_config?.format;
  // chat's json_schema response_format, which the adapters carry to each protocol's structured output
  if (format) chat.response_format = { type: "json_schema", json_schema: { name: "output", schema: format.schema, strict: true } };
  const thinking = request.thinking;
  if (thinking?.type === "enabled") chat.reasoning = { max_tokens: thinking.budget_tokens };
  if (thinking?.type === "adaptive") chat.reasoning = { enabled: true };
  return chat;
}

function systemMessages(system: MessagesRequest["system"]): Json[] {
  if (system === undefined) return [];
  if (typeof system === "string") return system === "" ? [] : [{ role: "system", content: system }];
  return system.length === 0 ? [] : [{ role: "system", content: system.map(textPart) }];
}

const withCache = (part: Json, cache: Json | null | undefined): Json => (cache ? { ...part, cache_control: cache } : part);

function textPart(block: Block<"text">): Json {
  return withCache({ type: "text", text: block.text }, block.cache_control);
}

function chatMessages(message: MessagesRequest["messages"][number], index: number): Json[] {
  if (typeof message.content === "string") return [{ role: message.role, content: message.content }];
  return message.role === "assistant" ? [assistantMessage(message.content, index)] : userMessages(message.content, index);
}

/**
 * A user turn: each tool_result as a tool message, in order, and the turn's other blocks as one
 * user message after them. Images and documents a tool returned (a chat tool message carries
 * text only) open that user message, in their order, so the model sees them right after the
 * results (an Anthropic upstream gets them in the same user turn as the tool_result).
 */
function userMessages(blocks: ContentBlock[], index: number): Json[] {
  const tools: Json[] = [];
  const parts: Json[] = [];
  blocks.forEach((block, position) => {
    const where = `messages.${index}.content.${position}`;
    switch (block.type) {
      case "tool_result":
        tools.push(toolMessage(block));
        if (Array.isArray(block.content)) parts.push(...block.content.filter((part) => part.type !== "text").map(userPart));
        break;
      case "text":
      case "image":
      case "document":
        parts.push(userPart(block));
        break;
      default:
        throw badRequest(`Invalid ${where}: a ${block.type} block belongs to an assistant turn`, { param: where });
    }
  });
  return parts.length === 0 ? tools : [...tools, { role: "user", content: parts }];
}

function userPart(block: Block<"text" | "image" | "document">): Json {
  if (block.type === "text") return textPart(block);
  if (block.type === "image") {
    const source = block.source;
    const url = source.type === "base64" ? `data:${source.media_type};base64,${source.data}` : source.url;
    return withCache({ type: "image_url", image_url: { url } }, block.cache_control);
  }
  return withCache({ type: "file", file: fileOf(block) }, block.cache_control);
}

function fileOf(block: Block<"document">): Json {
  const filename = block.title ? { filename: block.title } : {};
  const source = block.source;
  switch (source.type) {
    case "base64":
      return { ...filename, file_data: `data:${source.media_type};base64,${source.data}` };
    case "text":
      return { ...filename, file_data: `data:text/plain;base64,${Buffer.from(source.data, "utf8").toString("base64")}` };
    case "url":
      return { ...filename, file_data: source.url };
    case "file":
      return { ...filename, file_id: source.file_id };
  }
}

/** A tool_result's text (and its is_error flag) as a tool message (its images and documents are placed by userMessages). */
function toolMessage(block: Block<"tool_result">): Json {
  const failed = block.is_error === undefined ? {} : { is_error: block.is_error };
  return { role: "tool", tool_call_id: block.tool_use_id, content: toolContent(block), ...failed };
}

function toolContent(block: Block<"tool_result">): string | Json[] {
  const content = block.content ?? "";
  if (typeof content === "string") return block.cache_control ? [withCache({ type: "text", text: content }, block.cache_control)] : content;
  const parts: Json[] = content.flatMap((part) => (part.type === "text" ? [{ type: "text", text: part.text }] : []));
  // the block's breakpoint sits on its last part, where the adapter reads it back
  const last = parts.at(-1);
  if (block.cache_control) {
    if (last) Object.assign(last, { cache_control: block.cache_control });
    else parts.push(withCache({ type: "text", text: "" }, block.cache_control));
  }
  return parts.length === 0 ? "" : parts;
}

/** An assistant turn: text parts, thinking as reasoning_details (signatures kept), tool_use as tool calls. */
function assistantMessage(blocks: ContentBlock[], index: number): Json {
  const parts: Json[] = [];
  const details: Json[] = [];
  const calls: Json[] = [];
  blocks.forEach((block, position) => {
    switch (block.type) {
      case "text":
        if (block.text !== "" || block.cache_control) parts.push(textPart(block));
        break;
      case "thinking":
        details.push({ type: "reasoning.text", text: block.thinking, ...(block.signature ? { signature: block.signature } : {}), format: ANTHROPIC_REASONING_FORMAT, index: position });
        break;
      case "redacted_thinking":
        details.push({ type: "reasoning.encrypted", data: block.data, format: ANTHROPIC_REASONING_FORMAT, index: position });
        break;
      case "tool_use":
        calls.push(withCache({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input) } }, block.cache_control));
        break;
      default: {
        const where = `messages.${index}.content.${position}`;
        throw badRequest(`Invalid ${where}: a ${block.type} block belongs to a user turn`, { param: where });
      }
    }
  });
  return {
    role: "assistant",
    content: parts.length === 0 ? null : parts,
    ...(details.length > 0 ? { reasoning_details: details } : {}),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
}
