/**
 * A Responses request's `instructions` and `input` as chat messages. An assistant turn in the
 * Responses shape is a run of items (reasoning, a message, function calls); in chat it is one
 * assistant message carrying `reasoning_details`, `content` and `tool_calls`, so consecutive
 * items of one turn are folded together. A function call's output is a `tool` message.
 */
import { badRequest } from "../../domain/errors.js";
import { reasoningDetailsOf } from "./reasoning-items.js";
import type { ContentPart, InputItem, ResponsesRequest } from "./request-schema.js";

type ChatPart = Record<string, unknown>;
type ChatMessage = Record<string, unknown>;

interface AssistantTurn {
  content: string[];
  refusal: string[];
  toolCalls: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  reasoningDetails: Record<string, unknown>[];
}

/** The chat messages for `instructions` (a system message) and `input`. */
export function inputMessages(request: Pick<ResponsesRequest, "instructions" | "input">): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (request.instructions) messages.push({ role: "system", content: request.instructions });
  if (typeof request.input === "string") {
    messages.push({ role: "user", content: request.input });
    return messages;
  }
  let turn: AssistantTurn | undefined;
  const closeTurn = () => {
    if (turn) messages.push(assistantMessage(turn));
    turn = undefined;
  };
  const openTurn = (): AssistantTurn => (turn ??= { content: [], refusal: [], toolCalls: [], reasoningDetails: [] });
  request.input.forEach((item: InputItem, index) => {
    const field = `input.${index}`;
    switch (item.type) {
      case "reasoning": {
        // reasoning opens a turn: what the turn already said belongs to an earlier one
        if (turn && (turn.content.length > 0 || turn.toolCalls.length > 0)) closeTurn();
        openTurn().reasoningDetails.push(...reasoningDetailsOf(item));
        return;
      }
      case "function_call":
        openTurn().toolCalls.push({ id: item.call_id, type: "function", function: { name: item.name, arguments: item.arguments } });
        return;
      case "function_call_output":
        closeTurn();
        messages.push({ role: "tool", tool_call_id: item.call_id, content: toolOutput(item.output, `${field}.output`) });
        return;
      case "message": {
        if (item.role === "assistant") {
          if (turn && (turn.content.length > 0 || turn.toolCalls.length > 0)) closeTurn();
          const open = openTurn();
          for (const [partIndex, part] of parts(item.content).entries()) {
            if (part.type === "refusal") open.refusal.push(part.refusal);
            else open.content.push(textOf(part, `${field}.content.${partIndex}`, "an assistant message"));
          }
          return;
        }
        closeTurn();
        messages.push({ role: item.role, content: item.role === "user" ? userContent(item.content, field) : textContent(item.content, field, `a ${item.role} message`) });
        return;
      }
    }
  });
  closeTurn();
  return messages;
}

function assistantMessage(turn: AssistantTurn): ChatMessage {
  return {
    role: "assistant",
    content: turn.content.length > 0 ? turn.content.join("") : null,
    ...(turn.refusal.length > 0 ? { refusal: turn.refusal.join("") } : {}),
    ...(turn.toolCalls.length > 0 ? { tool_calls: turn.toolCalls } : {}),
    ...(turn.reasoningDetails.length > 0 ? { reasoning_details: turn.reasoningDetails } : {}),
  };
}

function parts(content: string | ContentPart[]): ContentPart[] {
  return typeof content === "string" ? [{ type: "input_text", text: content }] : content;
}

function textOf(part: ContentPart, field: string, where: string): string {
  if (part.type === "input_text" || part.type === "output_text") return part.text;
  throw badRequest(`Invalid ${field}: ${where} carries text only, not ${part.type}`, { param: field });
}

function textContent(content: string | ContentPart[], field: string, where: string): string | ChatPart[] {
  if (typeof content === "string") return content;
  return content.map((part, index) => ({ type: "text", text: textOf(part, `${field}.content.${index}`, where) }));
}

function userContent(content: string | ContentPart[], field: string): string | ChatPart[] {
  if (typeof content === "string") return content;
  return content.map((part, index) => userPart(part, `${field}.content.${index}`));
}

function userPart(part: ContentPart, field: string): ChatPart {
  switch (part.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: part.text };
    case "input_image": {
      if (!part.image_url) throw badRequest(`Invalid ${field}: an input_image needs image_url (uploaded file ids are not supported)`, { param: `${field}.image_url` });
      const detail = part.detail === "original" ? "high" : part.detail;
      return { type: "image_url", image_url: { url: part.image_url, ...(detail ? { detail } : {}) } };
    }
    case "input_file": {
      const data = part.file_data ?? part.file_url;
      if (!data && !part.file_id) throw badRequest(`Invalid ${field}: an input_file needs file_data, file_url or file_id`, { param: field });
      return { type: "file", file: { ...(part.filename ? { filename: part.filename } : {}), ...(data ? { file_data: data } : { file_id: part.file_id }) } };
    }
    case "input_audio":
      return { type: "input_audio", input_audio: part.input_audio };
    case "refusal":
      throw badRequest(`Invalid ${field}: a user message cannot carry a refusal`, { param: field });
  }
}

function toolOutput(output: string | ContentPart[], field: string): string | ChatPart[] {
  if (typeof output === "string") return output;
  return output.map((part, index) => ({ type: "text", text: textOf(part, `${field}.${index}`, "a function call output (as chat tool results)") }));
}
