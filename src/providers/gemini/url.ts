/** Gemini's method URLs, whether or not the configured base URL already names the API version. */
import { joinUrl } from "../shared/json.js";

/** The generate method URL for a model, whether or not the base URL already names the API version. */
export function geminiUrl(baseUrl: string, model: string, stream: boolean): string {
  return geminiMethodUrl(baseUrl, model, stream ? "streamGenerateContent?alt=sse" : "generateContent");
}

/** The URL of one of a model's methods (`generateContent`, `batchEmbedContents`, ...). */
export function geminiMethodUrl(baseUrl: string, model: string, method: string): string {
  const base = /\/v1(beta\d*|alpha)?\/?$/.test(baseUrl) ? baseUrl : joinUrl(baseUrl, "v1beta");
  return joinUrl(base, `models/${encodeURIComponent(geminiModelName(model))}:${method}`);
}

/** A model id without the API's `models/` prefix. */
export function geminiModelName(model: string): string {
  return model.replace(/^models\//, "");
}
