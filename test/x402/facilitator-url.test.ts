/**
 * x402 through a remote facilitator (`x402.facilitator_url`): farebox holds no relayer key; a separate
 * x402 facilitator (here the x402 reference facilitator over HTTP, with its own gas-paying key) verifies
 * and settles, and farebox still credits the settled transfer as the payer wallet's deposit.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { wrapFetchWithPayment, decodePaymentResponseHeader } from "@x402/fetch";
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { startTestApp, type TestApp } from "../support/app.js";
import { startFakeOpenAI, type FakeUpstream } from "../support/fake-upstreams/index.js";
import { anvilPrivateKey, startX402Chain, x402AppConfig, type X402Chain } from "../support/x402-world.js";
import { createChainRuntime } from "../../src/deposits/runtime.js";
import { createEvmRelayerClient } from "../../src/chains/evm/client.js";
import { localFacilitator } from "../../src/x402/facilitator.js";
import { deposits } from "../../src/db/schema/index.js";

let chain: X402Chain;
let upstream: FakeUpstream;
let facilitator: Server;
let facilitatorUrl: string;
let testApp: TestApp;
const calls: string[] = [];

beforeAll(async () => {
  chain = await startX402Chain();
  upstream = await startFakeOpenAI({ script: { text: "Settled elsewhere.", usage: { prompt: 20, completion: 10 } } });
  const settler = localFacilitator(new Map([[chain.network, createEvmRelayerClient({ chainId: chain.anvil.chainId, rpcUrl: chain.anvil.url, privateKey: anvilPrivateKey(8) })]]));
  facilitator = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", async () => {
      const { paymentPayload, paymentRequirements } = JSON.parse(text) as { paymentPayload: PaymentPayload; paymentRequirements: PaymentRequirements };
      calls.push(req.url ?? "");
      const answer = req.url === "/verify" ? await settler.verify(paymentPayload, paymentRequirements) : await settler.settle(paymentPayload, paymentRequirements);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => facilitator.listen(0, "127.0.0.1", resolve));
  const address = facilitator.address();
  facilitatorUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  testApp = await startTestApp("pglite", {
    config: x402AppConfig(chain, upstream.url, { relayer_private_key: undefined, facilitator_url: facilitatorUrl }),
    deps: { chains: createChainRuntime([chain.evm], () => new Date()) },
  });
});
afterAll(async () => {
  await testApp?.close();
  await new Promise((resolve) => facilitator?.close(resolve));
  await chain?.stop();
  await upstream?.close();
});

describe("x402 through facilitator_url", () => {
  it("verifies and settles there, and credits the transfer here", async () => {
    const pay = wrapFetchWithPayment(fetch, chain.client(1));
    const response = await pay(`${testApp.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "local/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 50 }),
    });
    expect(response.status).toBe(200);
    expect(calls).toEqual(["/verify", "/settle"]);
    const settlement = decodePaymentResponseHeader(response.headers.get("payment-response")!);
    const [row] = await testApp.database.db.select().from(deposits).where(eq(deposits.txId, settlement.transaction));
    expect(row).toMatchObject({ status: "credited", attribution: "wallet", amountBaseUnits: 100_000n });
  });

  it("passes the facilitator's refusal on with its reason", async () => {
    const asked = await fetch(`${testApp.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "local/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 50 }),
    });
    const paymentRequired = decodePaymentRequiredHeader(asked.headers.get("payment-required")!);
    const payload = await chain.client(2).createPaymentPayload({ ...paymentRequired, accepts: paymentRequired.accepts.map((r) => ({ ...r, payTo: "0x000000000000000000000000000000000000dEaD" })) });
    const refused = await fetch(`${testApp.url}/api/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "payment-signature": encodePaymentSignatureHeader(payload) },
      body: JSON.stringify({ model: "local/chat", messages: [{ role: "user", content: "Hi" }], max_tokens: 50 }),
    });
    expect(refused.status).toBe(402);
    expect(decodePaymentRequiredHeader(refused.headers.get("payment-required")!).error).toMatch(/recipient/);
  });
});
