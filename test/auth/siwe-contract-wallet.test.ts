import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFunctionData, getAddress, keccak256, serializeErc6492Signature, toHex, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { artifact, startAnvil, type Anvil } from "../support/anvil.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { buildSiweMessage, verifySiwe } from "../../src/auth/siwe.js";
import { createSiweScheme } from "../../src/auth/siwe-scheme.js";
import { completeSignIn, issueChallenge } from "../../src/auth/sign-in.js";
import { createEvmPublicClient } from "../../src/chains/evm/client.js";

const site = { domain: "pay.example.com", uri: "https://pay.example.com/login", statement: "Sign in." };
let anvil: Anvil;
let wallet: Address;
let factory: Address;
let database: TestDatabase;
const owner = privateKeyToAccount(generatePrivateKey());
const factoryAbi = artifact("OwnedWalletFactory").abi;

beforeAll(async () => {
  anvil = await startAnvil();
  wallet = getAddress(await anvil.deploy("OwnedWallet", [owner.address]));
  factory = getAddress(await anvil.deploy("OwnedWalletFactory"));
  database = await createTestDatabase("pglite");
});
afterAll(async () => {
  await anvil?.stop();
  await database?.close();
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

  it("signs in a counterfactual smart wallet (ERC-6492) and, once deployed, the same wallet into the same account (ERC-1271)", async () => {
    const client = createEvmPublicClient({ chainId: anvil.chainId, rpcUrl: anvil.url });
    const scheme = createSiweScheme({ site, chainIds: [anvil.chainId], challengeTtlMs: 60_000, clientFor: () => client });
    const salt = keccak256(toHex("farebox-6492"));
    const counterfactual = getAddress(await client.readContract({ address: factory, abi: factoryAbi, functionName: "addressOf", args: [owner.address, salt] }) as Address);
    expect(await client.getCode({ address: counterfactual })).toBeUndefined();

    const before = await issueChallenge(database.db, scheme, { address: counterfactual }, new Date(), 60_000, 100);
    const plain = await owner.signMessage({ message: before.message });
    // Not deployed: a bare owner signature proves nothing about the address...
    await expect(completeSignIn(database.db, [scheme], { message: before.message, signature: plain }, new Date())).rejects.toThrow(/sign-in failed/);
    // ...but wrapped with the factory call that would deploy it (ERC-6492), it does.
    const again = await issueChallenge(database.db, scheme, { address: counterfactual }, new Date(), 60_000, 100);
    const wrapped = serializeErc6492Signature({
      address: factory,
      data: encodeFunctionData({ abi: factoryAbi, functionName: "deploy", args: [owner.address, salt] }),
      signature: await owner.signMessage({ message: again.message }),
    });
    const first = await completeSignIn(database.db, [scheme], { message: again.message, signature: wrapped }, new Date());
    expect(first).toMatchObject({ address: counterfactual, isNewAccount: true });
    expect(await client.getCode({ address: counterfactual })).toBeUndefined(); // verification only simulated the deployment

    const deploy = await anvil.wallet(3).writeContract({ address: factory, abi: factoryAbi, functionName: "deploy", args: [owner.address, salt] });
    await anvil.publicClient.waitForTransactionReceipt({ hash: deploy, pollingInterval: 20 });
    expect(await client.getCode({ address: counterfactual })).toMatch(/^0x[0-9a-f]{10,}/);
    const after = await issueChallenge(database.db, scheme, { address: counterfactual }, new Date(), 60_000, 100);
    const second = await completeSignIn(database.db, [scheme], { message: after.message, signature: await owner.signMessage({ message: after.message }) }, new Date());
    expect(second).toMatchObject({ accountId: first.accountId, address: counterfactual, isNewAccount: false });

    const stranger = privateKeyToAccount(generatePrivateKey());
    const forged = await issueChallenge(database.db, scheme, { address: counterfactual }, new Date(), 60_000, 100);
    await expect(completeSignIn(database.db, [scheme], { message: forged.message, signature: await stranger.signMessage({ message: forged.message }) }, new Date())).rejects.toThrow(/sign-in failed/);
  });
});
