/**
 * A minimal OpenAI-wire upstream in its own process for the benchmark: answers every chat
 * completion at once (JSON, or SSE with word chunks, a usage chunk and [DONE]) and keeps no
 * per-request state, so it stays fast for hundreds of thousands of requests. (The test fakes
 * record every request and watch every socket, which a long benchmark should not pay for.)
 * Model `bench-spaced` streams like a real model: the role frame at once, then one word every
 * UPSTREAM_CHUNK_GAP_MS (default 20). Prints its URL as JSON.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const WORDS = "The quick brown fox jumps over the lazy dog.".split(" ");
const USAGE = { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 };
const created = Math.floor(Date.now() / 1000);

const json = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created,
  model: "bench-model",
  choices: [{ index: 0, message: { role: "assistant", content: WORDS.join(" ") }, finish_reason: "stop", logprobs: null }],
  usage: USAGE,
});
const chunk = (delta: Record<string, unknown>, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const GAP_MS = Number(process.env.UPSTREAM_CHUNK_GAP_MS ?? 20);
const frames = [
  chunk({ role: "assistant", content: "" }, null),
  ...WORDS.map((word, i) => chunk({ content: i === 0 ? word : ` ${word}` }, null)),
  chunk({}, "stop") +
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [], usage: USAGE })}\n\n` +
    "data: [DONE]\n\n",
];
const sse = frames.join("");

/** Writes one frame every GAP_MS, as a model generating tokens does. */
function spaced(response: ServerResponse, index = 0): void {
  if (index === frames.length - 1) {
    response.end(frames[index]);
    return;
  }
  response.write(frames[index]);
  setTimeout(() => spaced(response, index + 1), GAP_MS);
}

const server = createServer((request, response) => {
  let body = "";
  request.setEncoding("utf8");
  request.on("data", (part: string) => (body += part));
  request.on("end", () => {
    if (body.includes('"stream":true')) {
      response.writeHead(200, { "content-type": "text/event-stream" });
      if (body.includes('"model":"bench-spaced"')) spaced(response);
      else response.end(sse);
    } else {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(json);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
