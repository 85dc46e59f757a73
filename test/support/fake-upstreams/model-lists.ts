/**
 * A fake upstream that answers `GET <path>` with a recorded model list (test/fixtures/model-lists)
 * and records each request's path and headers, so discovery runs over real HTTP.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** The recorded answer of one API's model list. */
export function modelListFixture(name: "openai" | "anthropic" | "gemini" | "groq" | "together" | "openrouter"): unknown {
  return JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/model-lists", `${name}.json`), "utf8"));
}

export interface FakeModelList {
  url: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Replaces the answer served at `path` (undefined: 404). */
  serve(path: string, body: unknown): void;
  close(): Promise<void>;
}

/** Starts a server answering each path in `answers` (path without query) with its JSON. */
export async function startFakeModelList(answers: Record<string, unknown>): Promise<FakeModelList> {
  const routes = new Map(Object.entries(answers));
  const requests: FakeModelList["requests"] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push({ path: req.url ?? "/", headers: req.headers });
    const body = routes.get(path);
    res.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? { error: { message: "not found" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    serve: (path, body) => routes.set(path, body),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
