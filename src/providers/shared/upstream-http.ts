/**
 * Upstream HTTP through undici with keep-alive pools. An undici Agent keeps one Pool per origin
 * and reuses its connections; one Agent exists per distinct connect timeout (connect timeouts
 * are a connection property in undici), so in practice one Agent serves every provider.
 * Creating a client opens nothing; sockets open on the first request.
 */
import type { Readable } from "node:stream";
import { Agent, type Dispatcher } from "undici";
import type { Attempt } from "./attempt.js";
import { WholeResponse } from "./whole-response.js";

/** Pool settings; defaults suit a gateway talking to a handful of provider origins. */
export interface UpstreamHttpOptions {
  /** How long an idle keep-alive socket is kept (ms). */
  keepAliveTimeoutMs?: number;
  /** Upper bound on sockets per origin (undefined: unlimited). */
  connectionsPerOrigin?: number;
}

/**
 * The most upstream URLs whose origin and path are kept: one per endpoint and method (Gemini's
 * name the model), so a catalog's worth; past it the memo starts over rather than grow.
 */
const MAX_KNOWN_URLS = 1_024;

/** A sent request whose status and headers have arrived. */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** The shared HTTP client every adapter sends through. */
export class UpstreamHttp {
  private readonly agents = new Map<number, Agent>();
  /**
   * Each upstream URL's origin and path, parsed once: undici's top-level request() parsed the
   * URL with `new URL` and copied the options on every call (1.7 % of a gateway process's CPU at
   * saturation, npm run bench:profile with PROFILE_CLOSED_LOOP=32); the agent takes them as they are.
   */
  private readonly targets = new Map<string, { origin: string; path: string }>();

  constructor(private readonly options: UpstreamHttpOptions = {}) {}

  /** POSTs a JSON body; resolves at response headers, rejects with the attempt's UpstreamError. */
  async postJson(attempt: Attempt, url: string, headers: Record<string, string>, body: unknown): Promise<UpstreamResponse> {
    attempt.arm();
    try {
      const { origin, path } = this.targetOf(url);
      const response = await this.agentFor(attempt.timeouts.connectMs).request(this.requestOptions(attempt, origin, path, headers, body));
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw attempt.translate(error);
    } finally {
      attempt.disarm();
    }
  }

  /**
   * POSTs a JSON body and reads the answer whole (whole-response.ts): resolves with its status
   * and text, an error status's body cut at `errorBodyLimit` characters; rejects with the
   * attempt's UpstreamError.
   */
  postJsonWhole(attempt: Attempt, url: string, headers: Record<string, string>, body: unknown, errorBodyLimit: number): Promise<WholeResponse> {
    attempt.arm();
    const response = new WholeResponse(attempt, errorBodyLimit);
    try {
      const { origin, path } = this.targetOf(url);
      // already cancelled (the caller went away): nothing is sent
      if (attempt.signal.aborted) response.onError(attempt.signal.reason as Error);
      else this.agentFor(attempt.timeouts.connectMs).dispatch(this.requestOptions(attempt, origin, path, headers, body), response);
    } catch (error) {
      response.onError(error as Error);
    }
    return response.done;
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  /** The options of a JSON POST to `origin` and `path`. */
  private requestOptions(attempt: Attempt, origin: string, path: string, headers: Record<string, string>, body: unknown): Dispatcher.RequestOptions {
    return {
      // request() aborts on it; dispatch() does not read it (WholeResponse listens itself)
      signal: attempt.signal,
      origin,
      path,
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(body),
      // Our own timers (Attempt) govern; undici's stay as a backstop.
      headersTimeout: attempt.timeouts.firstByteMs + 1000,
      bodyTimeout: Math.max(attempt.timeouts.idleMs, attempt.timeouts.firstByteMs) + 1000,
    };
  }

  private targetOf(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new TypeError(`not an http(s) URL: ${parsed.protocol}`);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size >= MAX_KNOWN_URLS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  private agentFor(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (!agent) {
      agent = new Agent({
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 30_000,
        keepAliveMaxTimeout: 600_000,
        connections: this.options.connectionsPerOrigin ?? null,
        connect: { timeout: connectMs },
      });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }
}

/** A new shared client (nothing connects until the first request). */
export function createUpstreamHttp(options?: UpstreamHttpOptions): UpstreamHttp {
  return new UpstreamHttp(options);
}

/** First value of a response header, lower-case name. */
export function headerValue(headers: UpstreamResponse["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Milliseconds to wait according to `retry-after-ms`, or `retry-after` (seconds or an HTTP date).
 * RFC 9110 §10.2.3.
 */
export function parseRetryAfterMs(headers: UpstreamResponse["headers"], now: number = Date.now()): number | undefined {
  const ms = headerValue(headers, "retry-after-ms");
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headerValue(headers, "retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
