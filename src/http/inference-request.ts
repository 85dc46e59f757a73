/**
 * What every inference route (whatever its wire format) reads off a request besides its body:
 * a cancellation that fires when the client goes away, and the request's meta (generation id,
 * app attribution, conversation).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { Cancellation } from "../domain/cancellation.js";
import { newGenerationId } from "../domain/ids.js";
import type { RequestMeta } from "../gateway/ports.js";

/** Fires when the client closes the connection before the answer was written. */
export function clientCancellation(reply: FastifyReply): Cancellation {
  const cancellation = new Cancellation();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) cancellation.abort();
  });
  return cancellation;
}

/** The request's meta: a fresh generation id, attribution headers, the session header. */
export function inferenceMeta(request: FastifyRequest, signal: Cancellation): RequestMeta {
  return { signal, generationId: newGenerationId(), ...attribution(request) };
}

function attribution(request: FastifyRequest): Pick<RequestMeta, "httpReferer" | "appTitle" | "sessionId"> {
  const header = (name: string) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text ? text.slice(0, 512) : undefined;
  };
  const referer = header("http-referer") ?? header("referer");
  const title = header("x-openrouter-title") ?? header("x-title");
  const session = header("x-session-id")?.slice(0, 256);
  return { ...(referer ? { httpReferer: referer } : {}), ...(title ? { appTitle: title } : {}), ...(session ? { sessionId: session } : {}) };
}
