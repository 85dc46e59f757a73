import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startAnvil, type Anvil } from "../support/anvil.js";
import { buildSiweMessage, verifySiwe } from "../../src/auth/siwe.js";
import { createEvmPublicClient } from "../../src/chains/evm/client.js";

const site = { domain: "pay.example.com", uri: "https://pay.example.com/login", statement: "Sign in." };
let anvil: Anvil;
let wallet: Address;
const owner = privateKeyToAccount(generatePrivateKey());

beforeAll(async () => {
  anvil = await startAnvil();
  wallet = getAddress(await anvil.deploy("OwnedWallet", [owner.address]));
});
afterAll(async () => {
  await anvil?.stop();
});

describe("SIWE for smart-contract wallets (ERC-1271)", () => {
  it("verifies through the chain's RPC when one is configured, and only then", async () => {
    const now = new Date();
    const message = buildSiweMessage({
      site,
      address: wallet,
      chainId: anvil.chainId,
      nonce: "contractNonce123",
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 60_000),
    });
    const signature = await owner.signMessage({ message });
    const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
    const base = { site, allowedChainIds: [anvil.chainId], now, maxAgeMs: 600_000 };
    expect(await verifySiwe(message, signature, { ...base, clientFor: () => client })).toMatchObject({ kind: "verified", address: wallet });
    expect(await verifySiwe(message, signature, base)).toMatchObject({ kind: "rejected" });
    const stranger = privateKeyToAccount(generatePrivateKey());
    expect(await verifySiwe(message, await stranger.signMessage({ message }), { ...base, clientFor: () => client })).toMatchObject({
      kind: "rejected",
    });
  });
});
