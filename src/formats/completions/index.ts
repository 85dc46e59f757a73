/** OpenAI's legacy Completions (`POST /completions`) as a translator over the chat use case. */
export { completionRequestSchema, toChatRequest, type CompletionOptions, type CompletionRequest } from "./request.js";
export { textCompletionSchema, textCompletionChoiceSchema, toTextCompletion, type TextCompletion } from "./response.js";
export { textCompletionFrames, TextCompletionFraming } from "./stream.js";
export { textLogprobs, type TextLogprobs } from "./logprobs.js";
