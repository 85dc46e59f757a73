/**
 * Pay per request with x402 v2 (https://github.com/x402-foundation/x402, specs/x402-specification-v2.md):
 * a request without a key is answered 402 with a `PAYMENT-REQUIRED` header; its retry carries a
 * `PAYMENT-SIGNATURE` that is verified, claimed (single use, across processes), settled on chain, and
 * credited as an ordinary deposit to the payer's wallet account before the request is served from
 * that balance like any keyed request. Nothing is served, charged or credited unless settlement succeeded.
 */
import { decodePaymentSignatureHeader, encodePaymentRequiredHeader, encodePaymentResponseHeader } from "@x402/core/http";
import type { PaymentPayload, SettleResponse } from "@x402/core/types";
import { z } from "zod";
import { atomically } from "../db/atomic.js";
import type { Db } from "../db/client.js";
import { confirmDeposit } from "../deposits/credit.js";
import { AppError, badRequest } from "../domain/errors.js";
import { nanoToUsdString, type Nano } from "../domain/money.js";
import { claimAuthorization, markFailed, markSettled, useSignInNonce } from "./claims.js";
import { PAYMENT_REQUIRED_HEADER, PAYMENT_RESPONSE_HEADER, PAYMENT_SIGNATURE_HEADER } from "./headers.js";
import { checkSignIn, parseSignIn, signInWithXExtension } from "./sign-in-with-x.js";
import type { Facilitator } from "./facilitator.js";
import type { PaymentNetwork } from "./network.js";
import { askedNano, buildRequirements, nanoToBaseUnits, type PaymentRequirements } from "./requirements.js";

/** The account (and its key) that a paying wallet's requests run under; created on its first payment. */
export type PayerAccounts = (family: "evm" | "solana", address: string, now: Date) => Promise<{ accountId: string; keyId: string }>;

/** What a signed-in wallet's account holds. */
export interface WalletBalances {
  /** The account a wallet is linked to, if any. */
  accountOf(family: "evm" | "solana", address: string): Promise<string | undefined>;
  /** Balance minus open holds. */
  availableNano(accountId: string): Promise<Nano>;
}

/** What the payment flow is built from. */
export interface X402Deps {
  db: Db;
  networks: readonly PaymentNetwork[];
  facilitator: Facilitator;
  payers: PayerAccounts;
  wallets: WalletBalances;
  pricing: { minNano: Nano; surchargeNano: Nano; maxTimeoutSeconds: number };
  clock: () => Date;
}

/** A settled payment (or a signed-in wallet): whose balance serves the request, and the headers to add. */
export interface SettledPayment {
  accountId: string;
  keyId: string;
  headers: Record<string, string>;
}

/** The resource a payment pays for, as the 402 names it. */
export interface PaidResource {
  url: string;
  description: string;
}

export { PAYMENT_REQUIRED_HEADER, PAYMENT_RESPONSE_HEADER, PAYMENT_SIGNATURE_HEADER };

const payloadSchema = z.object({
  x402Version: z.literal(2),
  accepted: z.object({ scheme: z.string(), network: z.string(), amount: z.string().regex(/^\d{1,78}$/), asset: z.string(), payTo: z.string() }).loose(),
  payload: z.record(z.string(), z.unknown()),
}).loose();

/** Reasons farebox itself names (the facilitator's own codes pass through unchanged). */
const REASONS = {
  network: "invalid_network",
  scheme: "unsupported_scheme",
  payload: "invalid_payload",
  settlement: "settlement_failed",
} as const;

/** The payment flow of one process. */
export class X402Payments {
  constructor(private readonly deps: X402Deps) {}

  /** The networks offered, for the startup summary and docs. */
  get networks(): string[] {
    return this.deps.networks.map((n) => n.offered.network);
  }

  /**
   * The 402 a request without payment (or with a refused one) gets: OpenRouter's error envelope saying
   * the price, and the x402 `PAYMENT-REQUIRED` header with one offer per chain.
   */
  async required(resource: PaidResource, quoteNano: Nano, refusal?: { reason: string; message: string }): Promise<AppError> {
    const amountNano = askedNano(quoteNano, this.deps.pricing);
    const accepts = await buildRequirements(this.deps.networks.map((n) => n.offered), amountNano, this.deps.pricing.maxTimeoutSeconds);
    const usd = nanoToUsdString(amountNano);
    const paymentRequired = {
      x402Version: 2,
      ...(refusal ? { error: refusal.reason } : {}),
      resource: { url: resource.url, description: resource.description, mimeType: "application/json" },
      accepts,
      extensions: signInWithXExtension(resource.url, this.networks, this.deps.clock()),
    };
    const message = refusal
      ? `Payment refused (${refusal.reason}): ${refusal.message}. Nothing was charged. This request costs $${usd} in USDC; sign a new payment.`
      : `This request costs $${usd}: pay it in USDC with x402 (the PAYMENT-REQUIRED header lists the chains), or send an API key. What the payment exceeds the actual cost stays as credit of your wallet's account.`;
    return new AppError(message, {
      httpStatus: 402,
      errorType: "payment_required",
      metadata: { reason: refusal?.reason ?? "x402_payment_required", required_usd: usd, networks: accepts.map((a) => a.network) },
      headers: { [PAYMENT_REQUIRED_HEADER]: encodePaymentRequiredHeader(paymentRequired as Parameters<typeof encodePaymentRequiredHeader>[0]) },
    });
  }

  /**
   * Verifies, claims, settles and credits the payment in `header` for a request quoted at `quoteNano`.
   * Throws 400 for a malformed header, 402 (with `PAYMENT-REQUIRED` and the reason) for a payment that
   * fails verification or settlement, 503 when settlement cannot be attempted now.
   */
  async pay(header: string, resource: PaidResource, quoteNano: Nano): Promise<SettledPayment> {
    const payload = decodePayload(header);
    const refuse = async (reason: string, message: string) => this.required(resource, quoteNano, { reason, message });
    const network = this.deps.networks.find((n) => n.offered.network === payload.accepted.network);
    if (!network) throw await refuse(REASONS.network, `${payload.accepted.network} is not offered; pay on ${this.networks.join(" or ")}`);
    if (payload.accepted.scheme !== "exact") throw await refuse(REASONS.scheme, `scheme ${payload.accepted.scheme} is not offered; use exact`);
    const authorization = network.authorization(payload.payload);
    if (!authorization) throw badRequest(`PAYMENT-SIGNATURE: the payload is not an exact ${network.offered.network} payment`, { reason: REASONS.payload });
    const asked = nanoToBaseUnits(askedNano(quoteNano, this.deps.pricing), network.offered.decimals);
    const offered = BigInt(payload.accepted.amount);
    if (offered < asked || authorization.value < asked) {
      throw await refuse(network.reasons.amount, `the payment is ${offered} base units; this request needs at least ${asked}`);
    }
    // Before verifying: on Solana the verifying simulation itself fails when the fee payer cannot pay, which is not the payer's fault.
    await network.assertCanSettle();
    // Verified against farebox's own terms (treasury, token, domain) at the amount the payer signed (≥ the quote).
    const [ours] = await buildRequirements([network.offered], 0n, this.deps.pricing.maxTimeoutSeconds);
    const requirements: PaymentRequirements = { ...ours!, amount: offered.toString() };
    const verified = await this.deps.facilitator.verify(payload, requirements as PaymentPayload["accepted"]).catch((error: unknown) => {
      throw new AppError("The payment could not be verified now (the facilitator or the chain's node did not answer). Nothing was charged; retry shortly.", {
        httpStatus: 503,
        errorType: "provider_unavailable",
        retryable: true,
        cause: error,
        metadata: { reason: "verification_unavailable" },
        headers: { "Retry-After": "5" },
      });
    });
    if (!verified.isValid) throw await refuse(verified.invalidReason ?? REASONS.payload, verified.invalidMessage ?? "the payment did not verify");
    const now = this.deps.clock();
    // The wallet's account exists before any transfer: the chain listener credits it there even if this process dies.
    const payer = await this.deps.payers(network.family, authorization.payer, now);
    const claim = await claimAuthorization(this.deps.db, { network: network.offered.network, payer: authorization.payer, nonce: authorization.nonce, amountBaseUnits: offered, now });
    if (!claim) throw await refuse(network.reasons.replayed, "this payment authorization was already used");
    const settled = await this.settle(payload, requirements, claim);
    if (!settled.success) throw await refuse(settled.errorReason ?? REASONS.settlement, settled.errorMessage ?? "the payment could not be settled");
    const headers = { [PAYMENT_RESPONSE_HEADER]: encodePaymentResponseHeader(settled) };
    try {
      await this.credit(network, settled, authorization.payer, claim);
    } catch (error) {
      // The transfer is on chain and the wallet's account exists: the chain listener credits it there.
      throw new AppError(
        `The payment settled (transaction ${settled.transaction}) but could not be credited yet; it will be credited to your wallet's account once the chain listener confirms it. Sign in with the wallet to use it, or retry with sign-in-with-x.`,
        { httpStatus: 502, errorType: "provider_unavailable", retryable: true, cause: error, headers, metadata: { reason: "credit_pending", transaction: settled.transaction } },
      );
    }
    return { accountId: payer.accountId, keyId: payer.keyId, headers };
  }

  /**
   * Serves a wallet that proves itself with a `SIGN-IN-WITH-X` header from its account's balance,
   * without a new payment, while that balance covers `quoteNano`. Each proof is used once. Throws 400
   * for a malformed header, 402 (with `PAYMENT-REQUIRED`) when the proof is refused or the balance
   * does not cover the request: the client then pays.
   */
  async signIn(header: string, resource: PaidResource, quoteNano: Nano): Promise<SettledPayment> {
    const payload = parseSignIn(header);
    if (!payload) throw badRequest("SIGN-IN-WITH-X must be base64-encoded JSON (an x402 sign-in-with-x proof)", { reason: "invalid_siwx_payload" });
    const refuse = async (reason: string, message: string) => this.required(resource, quoteNano, { reason, message });
    const check = await checkSignIn(payload, resource.url, this.networks);
    if (!check.ok) throw await refuse(check.reason, check.message);
    const accountId = await this.deps.wallets.accountOf(check.family, check.address);
    if (!accountId) throw await refuse("siwx_unknown_wallet", `${check.address} has no account yet; pay for this request`);
    const available = await this.deps.wallets.availableNano(accountId);
    if (available < quoteNano) {
      throw await refuse("siwx_insufficient_balance", `the account of ${check.address} has $${nanoToUsdString(available < 0n ? 0n : available)} available; this request needs up to $${nanoToUsdString(quoteNano)}, pay for it`);
    }
    const now = this.deps.clock();
    if (!(await useSignInNonce(this.deps.db, check.nonce, check.address, now))) throw await refuse("invalid_siwx_nonce", "this sign-in proof was already used");
    const payer = await this.deps.payers(check.family, check.address, now);
    return { accountId: payer.accountId, keyId: payer.keyId, headers: {} };
  }

  private async settle(payload: PaymentPayload, requirements: PaymentRequirements, claim: string): Promise<SettleResponse> {
    let settled: SettleResponse;
    try {
      settled = await this.deps.facilitator.settle(payload, requirements as PaymentPayload["accepted"]);
    } catch (error) {
      // An unknown outcome: the claim stays `settling`; whatever did move is credited by the chain listener.
      throw new AppError("The payment's settlement did not finish; if it reached the chain it will be credited to your wallet's account. Check /api/v1/credits after signing in.", {
        httpStatus: 502,
        errorType: "provider_unavailable",
        retryable: false,
        cause: error,
        metadata: { reason: "settlement_unknown" },
      });
    }
    if (!settled.success) await markFailed(this.deps.db, claim, settled.errorReason ?? REASONS.settlement);
    return settled;
  }

  /** Credits the settled transfer as the deposit the chain listener would credit (same observation key). */
  private async credit(network: PaymentNetwork, settled: SettleResponse, payer: string, claim: string): Promise<void> {
    const observation = await network.settledDeposit(settled.transaction, payer);
    if (!observation) throw new Error(`settled x402 transaction ${settled.transaction} shows no USDC transfer from ${payer} to the treasury`);
    const valuation = await network.valuer(observation.asset, observation.amountBaseUnits);
    if (valuation.kind !== "value") throw new Error(`cannot value the x402 payment ${settled.transaction}: ${valuation.reason}`);
    const now = this.deps.clock();
    await atomically(this.deps.db, async (tx) => {
      await confirmDeposit(tx, { observation, valueNano: valuation.valueNano, ...(valuation.rate ? { rate: valuation.rate } : {}) }, now);
      await markSettled(tx, claim, settled.transaction, now);
    });
  }
}

function decodePayload(header: string): PaymentPayload {
  let decoded: unknown;
  try {
    decoded = decodePaymentSignatureHeader(header);
  } catch {
    throw badRequest("PAYMENT-SIGNATURE must be base64-encoded JSON (an x402 PaymentPayload)", { reason: REASONS.payload });
  }
  const parsed = payloadSchema.safeParse(decoded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`PAYMENT-SIGNATURE is not an x402 v2 PaymentPayload: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`, { reason: REASONS.payload });
  }
  return decoded as PaymentPayload;
}
