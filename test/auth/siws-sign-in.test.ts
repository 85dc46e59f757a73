import { sign } from "node:crypto";
import { Keypair } from "@solana/web3.js";
import { eq } from "drizzle-orm";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeSignIn, issueChallenge, listWallets } from "../../src/auth/sign-in.js";
import { createSiweScheme } from "../../src/auth/siwe-scheme.js";
import { createSiwsScheme } from "../../src/auth/siws-scheme.js";
import { accounts, signInNonces, walletIdentities } from "../../src/db/schema/index.js";
import { AppError } from "../../src/domain/errors.js";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";

const siws = createSiwsScheme({ domain: "pay.example.com", uri: "https://pay.example.com/login", clusters: ["mainnet"] });
const siwe = createSiweScheme({
  site: { domain: "pay.example.com", uri: "https://pay.example.com/login", statement: "Sign in to farebox." },
  chainIds: [1],
  challengeTtlMs: 300_000,
});
const schemes = [siwe, siws];
const TTL = 300_000;

function walletSign(keypair: Keypair, message: string): string {
  const seed = Buffer.from(keypair.secretKey.subarray(0, 32));
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  return sign(null, Buffer.from(message, "utf8"), { key: der, format: "der", type: "pkcs8" }).toString("base64");
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe.each(dbKinds)("Sign-In With Solana through the shared flow (%s)", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  const counts = async () => ({
    accounts: (await database.db.select().from(accounts)).length,
    wallets: (await database.db.select().from(walletIdentities)).length,
  });

  it("issues a SIWS challenge, verifies the ed25519 signature and creates the account once", async () => {
    const wallet = Keypair.generate();
    const address = wallet.publicKey.toBase58();
    const challenge = await issueChallenge(database.db, siws, { address, chain: "solana" }, new Date(), TTL, 1_000);
    expect(challenge.message.startsWith("pay.example.com wants you to sign in with your Solana account:\n" + address)).toBe(true);
    expect(challenge.message).toContain("Chain ID: mainnet");
    const signedIn = await completeSignIn(
      database.db,
      schemes,
      { message: challenge.message, signature: walletSign(wallet, challenge.message) },
      new Date(),
    );
    expect(signedIn).toMatchObject({ family: "solana", address, isNewAccount: true });
    expect(await listWallets(database.db, signedIn.accountId)).toMatchObject([{ family: "solana", address }]);
  });

  it("refuses a signature by another key, an expired challenge and a replayed nonce, creating nothing", async () => {
    const wallet = Keypair.generate();
    const address = wallet.publicKey.toBase58();
    const before = await counts();

    const challenge = await issueChallenge(database.db, siws, { address }, new Date(), TTL, 1_000);
    const wrongKey = await failure(
      completeSignIn(database.db, schemes, { message: challenge.message, signature: walletSign(Keypair.generate(), challenge.message) }, new Date()),
    );
    expect(wrongKey.httpStatus).toBe(401);
    expect(wrongKey.metadata.reason).toBe("bad_signature");

    const past = new Date(Date.now() - 2 * TTL);
    const old = await issueChallenge(database.db, siws, { address }, past, TTL, 1_000);
    const expired = await failure(
      completeSignIn(database.db, schemes, { message: old.message, signature: walletSign(wallet, old.message) }, new Date()),
    );
    expect(expired.httpStatus).toBe(401);

    const tampered = challenge.message.replace("Chain ID: mainnet", "Chain ID: devnet");
    const edited = await failure(
      completeSignIn(database.db, schemes, { message: tampered, signature: walletSign(wallet, tampered) }, new Date()),
    );
    expect(edited.httpStatus).toBe(401);
    expect(await counts()).toEqual(before);

    const signature = walletSign(wallet, challenge.message);
    await completeSignIn(database.db, schemes, { message: challenge.message, signature }, new Date());
    const afterFirst = await counts();
    const replay = await failure(completeSignIn(database.db, schemes, { message: challenge.message, signature }, new Date()));
    expect(replay.httpStatus).toBe(401);
    expect(await counts()).toEqual(afterFirst);
    expect(await database.db.select().from(signInNonces).where(eq(signInNonces.nonce, challenge.nonce))).toEqual([]);
  });

  it("rejects malformed addresses and clusters with a 400", async () => {
    expect((await failure(issueChallenge(database.db, siws, { address: "0xabc" }, new Date(), TTL, 1_000))).httpStatus).toBe(400);
    const address = Keypair.generate().publicKey.toBase58();
    expect((await failure(issueChallenge(database.db, siws, { address, chain: "solana:moon" }, new Date(), TTL, 1_000))).httpStatus).toBe(400);
  });

  it("links an EVM wallet and a Solana wallet to the same account", async () => {
    const evm = privateKeyToAccount(generatePrivateKey());
    const evmChallenge = await issueChallenge(database.db, siwe, { address: evm.address }, new Date(), TTL, 1_000);
    const owner = await completeSignIn(
      database.db,
      schemes,
      { message: evmChallenge.message, signature: await evm.signMessage({ message: evmChallenge.message }) },
      new Date(),
    );
    const sol = Keypair.generate();
    const solChallenge = await issueChallenge(database.db, siws, { address: sol.publicKey.toBase58() }, new Date(), TTL, 1_000);
    const linked = await completeSignIn(
      database.db,
      schemes,
      { message: solChallenge.message, signature: walletSign(sol, solChallenge.message) },
      new Date(),
      owner.accountId,
    );
    expect(linked).toMatchObject({ accountId: owner.accountId, linked: true, family: "solana" });
    const wallets = await listWallets(database.db, owner.accountId);
    expect(wallets.map((w) => w.family).sort()).toEqual(["evm", "solana"]);
  });
});
