import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createTestDatabase, dbKinds, type TestDatabase } from "../support/db.js";
import { createSiweScheme } from "../../src/auth/siwe-scheme.js";
import { issueChallenge, completeSignIn, listWallets } from "../../src/auth/sign-in.js";
import { accounts, signInNonces, walletIdentities } from "../../src/db/schema/index.js";
import { AppError } from "../../src/domain/errors.js";

const site = { domain: "pay.example.com", uri: "https://pay.example.com/login", statement: "Sign in to farebox." };
const scheme = createSiweScheme({ site, chainIds: [8453, 1], challengeTtlMs: 300_000 });

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe.each(dbKinds)("wallet sign-in flow (%s)", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  async function signIn(wallet = privateKeyToAccount(generatePrivateKey()), accountId?: string) {
    const now = new Date();
    const challenge = await issueChallenge(database.db, scheme, { address: wallet.address.toLowerCase() }, now, 300_000, 1_000);
    const signature = await wallet.signMessage({ message: challenge.message });
    return completeSignIn(database.db, [scheme], { message: challenge.message, signature }, new Date(), accountId);
  }

  it("creates an account on the first sign-in and returns to it later", async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    const first = await signIn(wallet);
    expect(first).toMatchObject({ isNewAccount: true, family: "evm", address: wallet.address, linked: false });
    const second = await signIn(wallet);
    expect(second).toMatchObject({ isNewAccount: false, accountId: first.accountId });
    expect(await listWallets(database.db, first.accountId)).toMatchObject([{ family: "evm", address: wallet.address }]);
  });

  it("links another wallet when signed while authenticated, and refuses a wallet linked elsewhere", async () => {
    const owner = await signIn();
    const extra = privateKeyToAccount(generatePrivateKey());
    const linked = await signIn(extra, owner.accountId);
    expect(linked).toMatchObject({ accountId: owner.accountId, isNewAccount: false, linked: true });
    expect((await listWallets(database.db, owner.accountId)).map((w) => w.address)).toContain(extra.address);
    const someoneElse = await signIn();
    const error = await failure(signIn(extra, someoneElse.accountId));
    expect(error.httpStatus).toBe(409);
  });

  it("uses each nonce once: a replayed signature is refused and creates nothing", async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    const challenge = await issueChallenge(database.db, scheme, { address: wallet.address }, new Date(), 300_000, 1_000);
    const signature = await wallet.signMessage({ message: challenge.message });
    const results = await Promise.allSettled([
      completeSignIn(database.db, [scheme], { message: challenge.message, signature }, new Date()),
      completeSignIn(database.db, [scheme], { message: challenge.message, signature }, new Date()),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const replay = await failure(completeSignIn(database.db, [scheme], { message: challenge.message, signature }, new Date()));
    expect(replay.httpStatus).toBe(401);
    expect(replay.message).toMatch(/nonce/);
  });

  it("refuses an expired challenge", async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    const issued = new Date(Date.now() - 400_000);
    const challenge = await issueChallenge(database.db, scheme, { address: wallet.address }, issued, 300_000, 1_000);
    const signature = await wallet.signMessage({ message: challenge.message });
    const error = await failure(completeSignIn(database.db, [scheme], { message: challenge.message, signature }, new Date()));
    expect(error.httpStatus).toBe(401);
  });

  it("refuses a signature from another address, an edited message and malformed input, creating nothing", async () => {
    const countAccounts = async () => (await database.db.select().from(accounts)).length;
    const before = await countAccounts();
    const wallet = privateKeyToAccount(generatePrivateKey());
    const challenge = await issueChallenge(database.db, scheme, { address: wallet.address }, new Date(), 300_000, 1_000);
    const stranger = privateKeyToAccount(generatePrivateKey());
    const wrongSigner = await failure(
      completeSignIn(database.db, [scheme], { message: challenge.message, signature: await stranger.signMessage({ message: challenge.message }) }, new Date()),
    );
    expect(wrongSigner.httpStatus).toBe(401);
    expect(wrongSigner.message).toMatch(/signature/);
    const edited = challenge.message.replace("pay.example.com wants", "evil.example.com wants");
    const editedError = await failure(
      completeSignIn(database.db, [scheme], { message: edited, signature: await wallet.signMessage({ message: edited }) }, new Date()),
    );
    expect(editedError.httpStatus).toBe(401);
    expect((await failure(completeSignIn(database.db, [scheme], { message: 42, signature: "0x" }, new Date()))).httpStatus).toBe(400);
    expect(await countAccounts()).toBe(before);
    expect(await database.db.select().from(walletIdentities)).not.toContainEqual(expect.objectContaining({ address: wallet.address }));
    // The nonce survives failed attempts, so the real owner can still sign in.
    const ok = await completeSignIn(database.db, [scheme], { message: challenge.message, signature: await wallet.signMessage({ message: challenge.message }) }, new Date());
    expect(ok.isNewAccount).toBe(true);
  });

  it("refuses malformed addresses and chain ids it does not accept, storing no challenge", async () => {
    const rows = async () => (await database.db.select().from(signInNonces)).length;
    const before = await rows();
    for (const address of ["0x123", "not-an-address", "0xZZ9Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267".replace("F4ce", "f4CE")]) {
      expect((await failure(issueChallenge(database.db, scheme, { address }, new Date(), 300_000, 1_000))).httpStatus).toBe(400);
    }
    const wrongChain = await failure(issueChallenge(database.db, scheme, { address: privateKeyToAccount(generatePrivateKey()).address, chain: 137 }, new Date(), 300_000, 1_000));
    expect(wrongChain.httpStatus).toBe(400);
    expect(wrongChain.message).toMatch(/chain_id 137/);
    expect(await rows()).toBe(before);
  });
});
