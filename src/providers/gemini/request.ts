/**
 * Normalized request → Gemini `GenerateContentRequest`
 * (https://ai.google.dev/api/generate-content). System messages become `systemInstruction`;
 * turns become `contents` with roles user/model and parts (text, inlineData, fileData,
 * functionCall, functionResponse); tools become `functionDeclarations`; sampling fields move
 * into `generationConfig`. Gemini matches tool results to calls by function name, so a tool
 * message's name is recovered from the assistant call it answers.
 */
import type { AdapterContext, ChatMessage, ChatRequest, ReasoningConfig, ToolChoice } from "../spec.js";
import { mediaTypeFromUrl, parseDataUrl } from "../shared/images.js";
import { accepts, textOf } from "../shared/json.js";
import { foldSpeakerName } from "../shared/speaker-name.js";
import { signatureFromId } from "./response.js";

/** Signature Google documents for replaying function calls that carry none (https://ai.google.dev/gemini-api/docs/thought-signatures). */
const UNSIGNED_CALL = "skip_thought_signature_validator";

type Part = Record<string, unknown>;
interface Content {
  role: "user" | "model";
  parts: Part[];
}

const EFFORT_BUDGET: Record<string, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 32768, max: 32768 };

/** The JSON body for `models/{model}:generateContent` and `:streamGenerateContent`. */
export function toGeminiBody(request: ChatRequest, context: AdapterContext): Record<string, unknown> {
  const supported = context.supportedParameters;
  // Gemini has no per-message name and no end-user field: names join the text, `user` is not sent.
  const messages = request.messages.map(foldSpeakerName);
  const body: Record<string, unknown> = { contents: toContents(messages) };
  const system = messages
    .filter((message) => message.role === "system" || message.role === "developer")
    .map((message) => textOf(message.content))
    .join("\n\n");
  if (system !== "") body.systemInstruction = { parts: [{ text: system }] };
  const sendsTools = request.tools !== undefined && request.tools.length > 0 && accepts(supported, "tools");
  if (request.tools !== undefined && sendsTools) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.function.name,
          ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
          ...(tool.function.parameters === undefined ? {} : { parameters: cleanSchema(tool.function.parameters) }),
        })),
      },
    ];
    const config = toToolConfig(request.tool_choice);
    if (config) body.toolConfig = config;
  }
  const generation = generationConfig(request, supported, sendsTools);
  if (Object.keys(generation).length > 0) body.generationConfig = generation;
  return body;
}

/**
 * Gemini 1.x and 2.x reject function declarations together with a JSON response type ("Function
 * calling with a response mime type: 'application/json' is unsupported"); Gemini 3 accepts both.
 */
function jsonModeWithToolsRejected(model: string): boolean {
  return /^(models\/)?gemini-[12](\.|-)/.test(model);
}

function generationConfig(request: ChatRequest, supported: readonly string[] | undefined, sendsTools: boolean): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const copy = (field: keyof ChatRequest, name: string): void => {
    if (request[field] !== undefined && accepts(supported, field)) config[name] = request[field];
  };
  copy("temperature", "temperature");
  copy("top_p", "topP");
  copy("top_k", "topK");
  copy("seed", "seed");
  copy("presence_penalty", "presencePenalty");
  copy("frequency_penalty", "frequencyPenalty");
  if (request.max_tokens !== undefined) config.maxOutputTokens = request.max_tokens;
  if (request.stop !== undefined && request.stop.length > 0 && accepts(supported, "stop")) config.stopSequences = request.stop;
  const format = request.response_format;
  const jsonMode = format !== undefined && format.type !== "text" && accepts(supported, "response_format");
  if (jsonMode && !(sendsTools && jsonModeWithToolsRejected(request.model))) {
    // https://ai.google.dev/gemini-api/docs/structured-output: the answer is JSON text in the candidate's parts.
    config.responseMimeType = "application/json";
    if (format.type === "json_schema" && format.json_schema.schema && accepts(supported, "structured_outputs")) {
      config.responseJsonSchema = format.json_schema.schema;
    }
  }
  // https://ai.google.dev/api/generate-content#generationconfig: responseLogprobs, and logprobs = how many alternatives
  if (request.logprobs === true && accepts(supported, "logprobs")) {
    config.responseLogprobs = true;
    if (request.top_logprobs !== undefined && request.top_logprobs > 0 && accepts(supported, "top_logprobs")) config.logprobs = request.top_logprobs;
  }
  if (request.modalities !== undefined && accepts(supported, "modalities")) config.responseModalities = request.modalities.map((modality) => modality.toUpperCase());
  const thinking = thinkingConfig(request.reasoning);
  if (thinking && accepts(supported, "reasoning")) config.thinkingConfig = thinking;
  return config;
}

function thinkingConfig(reasoning: ReasoningConfig | undefined): Record<string, unknown> | undefined {
  if (!reasoning) return undefined;
  if (reasoning.enabled === false || reasoning.effort === "none") return { thinkingBudget: 0 };
  const budget = reasoning.max_tokens ?? (reasoning.effort === undefined ? -1 : EFFORT_BUDGET[reasoning.effort]);
  return { thinkingBudget: budget ?? -1, includeThoughts: reasoning.exclude !== true };
}

function toToolConfig(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
}

/** Gemini's schema dialect (an OpenAPI subset) rejects some JSON Schema keywords; drop them. */
function cleanSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cleanSchema);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$schema" || key === "additionalProperties" || key === "strict") continue;
    out[key] = cleanSchema(inner);
  }
  return out;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toParts(message: ChatMessage, callNames: Map<string, string>): Part[] {
  switch (message.role) {
    case "user":
      if (typeof message.content === "string") return [{ text: message.content }];
      return message.content.map((part): Part => {
        if (part.type === "text") return { text: part.text };
        if (part.type === "input_audio") return { inlineData: { mimeType: audioMimeType(part.input_audio.format), data: part.input_audio.data } };
        if (part.type === "file") return filePart(part.file);
        const inline = parseDataUrl(part.image_url.url);
        return inline
          ? { inlineData: { mimeType: inline.mediaType, data: inline.data } }
          : { fileData: { mimeType: mediaTypeFromUrl(part.image_url.url), fileUri: part.image_url.url } };
      });
    case "assistant": {
      const parts: Part[] = [];
      const text = textOf(message.content);
      if (text !== "") parts.push({ text });
      (message.tool_calls ?? []).forEach((call, index) => {
        callNames.set(call.id, call.function.name);
        const part: Part = { functionCall: { name: call.function.name, args: parseObject(call.function.arguments) ?? {} } };
        // Gemini 3 needs the first call of a turn signed; calls from elsewhere get Google's documented bypass value.
        const signature = signatureFromId(call.id) ?? (index === 0 ? UNSIGNED_CALL : undefined);
        if (signature !== undefined) part.thoughtSignature = signature;
        parts.push(part);
      });
      return parts;
    }
    case "tool": {
      const text = textOf(message.content);
      const name = message.name ?? callNames.get(message.tool_call_id) ?? message.tool_call_id;
      return [{ functionResponse: { name, response: parseObject(text) ?? { content: text } } }];
    }
    default:
      return [];
  }
}

/** Audio formats as MIME types (https://ai.google.dev/gemini-api/docs/audio#supported-formats). */
function audioMimeType(format: string): string {
  const lower = format.toLowerCase();
  if (lower.includes("/")) return lower;
  if (lower === "mp3") return "audio/mp3";
  if (lower === "m4a") return "audio/mp4";
  if (lower.startsWith("pcm")) return "audio/l16";
  return `audio/${lower}`;
}

/** A document: inline base64, or a URL / uploaded file Gemini fetches itself (PDF unless the data URL says otherwise). */
function filePart(file: { filename?: string; file_data?: string; file_id?: string }): Part {
  const data = file.file_data;
  const inline = data === undefined ? undefined : parseDataUrl(data);
  if (inline) return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  return { fileData: { mimeType: "application/pdf", fileUri: data ?? file.file_id ?? "" } };
}

function toContents(messages: ChatMessage[]): Content[] {
  const callNames = new Map<string, string>();
  const out: Content[] = [];
  for (const message of messages) {
    if (message.role === "system" || message.role === "developer") continue;
    const role = message.role === "assistant" ? "model" : "user";
    const parts = toParts(message, callNames);
    if (parts.length === 0) continue;
    const previous = out.at(-1);
    if (previous && previous.role === role) previous.parts.push(...parts);
    else out.push({ role, parts });
  }
  return out;
}
