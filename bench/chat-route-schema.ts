/**
 * Micro-benchmark (npm run bench:chat-route): what declaring the chat route's schemas costs per
 * request. Two in-process apps answer POST /api/v1/chat/completions with the same handler behind
 * the same key check, a use case that answers at once (no upstream, no database):
 *   - "bare": the same handler and key check registered without a schema, as before the route declared one;
 *   - "declared": the route as farebox registers it (registerChatRoutes) on an app with the
 *     schema machinery (route-schemas.ts) and the OpenAPI generator (api-document.ts).
 * Requests go through fastify's `inject` (the whole fastify pipeline, no sockets), alternating
 * rounds of the two so machine load hits both alike. Each round is measured in this process's CPU
 * time (user + system), which other processes on a shared machine disturb far less than wall
 * time; the report gives each round's CPU µs/request and the median difference.
 */
import { inferenceAccess } from "../src/http/inference-access.js";
import Fastify, { type FastifyInstance } from "fastify";
import type { ChatGateway } from "../src/gateway/chat-gateway.js";
import type { KeyResolver } from "../src/keys/index.js";
import { registerApiDocument } from "../src/http/openapi/api-document.js";
import { registerRouteSchemas } from "../src/http/openapi/route-schemas.js";
import { registerAuth, requireKey } from "../src/http/plugins/auth.js";
import { chatHandler, registerChatRoutes, type ChatRoutesDeps } from "../src/http/routes/chat-completions.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const key = { id: "key_bench", accountId: "acct_bench", kind: "inference", limitNano: null, limitReset: null, disabled: false, expiresAt: null };
const keys = { resolve: async () => ({ ok: true, key }), invalidate: () => undefined } as unknown as KeyResolver;
const answer = {
  id: "gen-bench",
  provider: "Bench",
  model: "bench/model",
  object: "chat.completion",
  created: 1_764_000_000,
  system_fingerprint: null,
  choices: [{ index: 0, logprobs: null, finish_reason: "stop", native_finish_reason: "stop", message: { role: "assistant", content: "A short answer about benchmarks.", refusal: null, reasoning: null } }],
  usage: {
    prompt_tokens: 12,
    completion_tokens: 7,
    total_tokens: 19,
    prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    cost: 0.0000273,
    is_byok: false,
    cost_details: { upstream_inference_cost: 0.000026, upstream_inference_prompt_cost: 0.000012, upstream_inference_completions_cost: 0.000014 },
  },
};
const gateway = {
  wantsStream: (body: unknown) => (body as { stream?: unknown }).stream === true,
  complete: async () => ({ generationId: "gen-bench", body: answer }),
} as unknown as ChatGateway;
const deps: ChatRoutesDeps = { gateway, access: inferenceAccess({ keys }), clock: () => new Date() };
const payload = JSON.stringify({ model: "bench/model", messages: [{ role: "user", content: "Say something short about benchmarks." }], max_tokens: 64, provider: { sort: "price" } });

async function bare(): Promise<FastifyInstance> {
  const app = Fastify();
  registerAuth(app);
  await app.register(async (api) => api.post("/chat/completions", { preHandler: requireKey(keys, ["inference"]) }, chatHandler(deps)), { prefix: "/api/v1" });
  await app.ready();
  return app;
}

async function declared(): Promise<FastifyInstance> {
  const app = Fastify();
  registerAuth(app);
  registerRouteSchemas(app);
  await registerApiDocument(app);
  await app.register(async (api) => registerChatRoutes(api, deps), { prefix: "/api/v1" });
  await app.ready();
  return app;
}

async function round(app: FastifyInstance, count: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const response = await app.inject({ method: "POST", url: "/api/v1/chat/completions", headers: { authorization: "Bearer sk-bench", "content-type": "application/json" }, payload });
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const apps = { bare: await bare(), declared: await declared() };
const first = await apps.bare.inject({ method: "POST", url: "/api/v1/chat/completions", headers: { authorization: "Bearer sk-bench", "content-type": "application/json" }, payload });
const second = await apps.declared.inject({ method: "POST", url: "/api/v1/chat/completions", headers: { authorization: "Bearer sk-bench", "content-type": "application/json" }, payload });
if (first.body !== second.body) throw new Error("the two apps answer differently");
await round(apps.bare, REQUESTS / 4);
await round(apps.declared, REQUESTS / 4);
const results = { bare: [] as number[], declared: [] as number[] };
for (let i = 0; i < ROUNDS; i++) {
  // alternate which goes first, so a load spike is shared
  const order = i % 2 === 0 ? (["bare", "declared"] as const) : (["declared", "bare"] as const);
  for (const name of order) results[name].push(await round(apps[name], REQUESTS));
}
const fmt = (values: number[]) => values.map((v) => v.toFixed(2)).join(" ");
console.log(`POST /api/v1/chat/completions through fastify inject, ${REQUESTS} requests × ${ROUNDS} rounds (CPU µs/request)`);
console.log(`bare     (no schema):        ${fmt(results.bare)}  median ${median(results.bare).toFixed(2)}`);
console.log(`declared (zod schema, docs): ${fmt(results.declared)}  median ${median(results.declared).toFixed(2)}`);
const differences = results.declared.map((v, i) => v - results.bare[i]!);
console.log(`declared − bare per round:   ${fmt(differences)}  median ${median(differences).toFixed(2)} µs`);
await Promise.all([apps.bare.close(), apps.declared.close()]);
