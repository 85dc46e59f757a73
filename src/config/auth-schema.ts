import { z } from "zod";

/**
 * Wallet sign-in and deposit-intent settings. `domain` and `uri` are written into every sign-in message
 * and checked on verify (EIP-4361): set them to the public address users sign in at.
 */
export const authSchema = z
  .object({
    domain: z.string().min(1).default("localhost:8080"),
    /** The page users sign in at; unset → the dashboard this process serves at `/` of `domain`. */
    uri: z.string().url().optional(),
    statement: z.string().regex(/^[^\n]*$/, "must be one line").default("Sign in to farebox. This costs nothing and sends no transaction."),
    /** How long a sign-in challenge may be signed and submitted. */
    challenge_ttl_s: z.number().int().min(30).max(3_600).default(300),
    /** Lifetime of the management key a sign-in returns. */
    session_ttl_s: z.number().int().min(60).max(90 * 86_400).default(7 * 86_400),
    /** How long a deposit intent's exact amount stays reserved. */
    intent_ttl_s: z.number().int().min(60).max(30 * 86_400).default(86_400),
  })
  .strict()
  .transform((auth) => ({ ...auth, uri: auth.uri ?? `http://${auth.domain}/` }))
  .default({
    domain: "localhost:8080",
    uri: "http://localhost:8080/",
    statement: "Sign in to farebox. This costs nothing and sends no transaction.",
    challenge_ttl_s: 300,
    session_ttl_s: 7 * 86_400,
    intent_ttl_s: 86_400,
  });

export type AuthConfig = z.infer<typeof authSchema>;
