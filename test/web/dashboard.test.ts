/// <reference lib="dom" />
/**
 * The dashboard end to end in headless Chromium against the real gateway process, a real anvil
 * chain and the Solana RPC harness: wallets sign in, a USDC deposit goes from confirming to
 * credited on screen, a key is created and used by the openai SDK and shows in Activity, the
 * playground streams, rankings draw. Every page is captured at desktop and phone width, and any
 * console error, failed request or empty chart fails the test.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import OpenAI from "openai";
import type { BrowserContext, Page, Response } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { captureBothWidths, chartPixelsOfColor, emptyCharts, guardPage, launchBrowser, type PageProblems } from "./support/browser.js";
import type { Hex } from "viem";
import { anvilAccount, artifact } from "../support/anvil.js";
import { ANSWER, MODEL_ID, startDashboardWorld, TREASURY, type DashboardWorld } from "./support/dashboard-server.js";
import { installMint, mintTo, USDC_MINT } from "../support/solana-rpc/fixtures.js";
import { EVM_WALLET_NAME, installTestWallets, SOLANA_WALLET_NAME, type TestWallets } from "./support/test-wallets.js";

const PAYER = 1;
let world: DashboardWorld;
let context: BrowserContext;
let wallets: TestWallets;
let page: Page;
let guard: PageProblems;
let inferenceKey: string;

beforeAll(async () => {
  world = await startDashboardWorld(PAYER);
  context = await launchBrowser();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: world.url });
  wallets = await installTestWallets(context, world.anvil, PAYER, world.solana.url);
  // the Solana wallet holds SOL for fees and 100 USDC
  const mintAuthority = Keypair.generate();
  world.solana.chain.airdrop(mintAuthority.publicKey, 1_000_000_000n);
  world.solana.chain.airdrop(wallets.solana.address, 1_000_000_000n);
  installMint(world.solana.chain, USDC_MINT, mintAuthority.publicKey);
  mintTo(world.solana.chain, mintAuthority, USDC_MINT, new PublicKey(wallets.solana.address), 100_000_000n);
  page = await context.newPage();
  guard = guardPage(page);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await world?.stop();
});

afterEach(() => {
  // what a user would see as broken fails the step that caused it
  const problems = guard.problems.splice(0);
  expect(problems).toEqual([]);
});

const balanceText = () => page.locator("[data-test=balance]").innerText();
/** The status cell of the deposit row of transaction `tx` on the Credits page. */
const depositStatus = (tx: string) => page.locator("[data-test=deposits] tr").filter({ has: page.locator(`code[title="${tx}"]`) }).locator("[data-test=deposit-status]");
const usdcAbi = artifact("MockUSDC").abi;
/** Sends `amount` USDC base units from anvil account `from` to the treasury; the transaction's hash. */
async function sendUsdcToTreasury(from: number, amount: bigint): Promise<Hex> {
  const hash = await world.anvil.wallet(from).writeContract({ address: world.usdc, abi: usdcAbi, functionName: "transfer", args: [TREASURY, amount] });
  await world.anvil.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  return hash;
}

describe("the dashboard in a browser", () => {
  it("serves the dashboard at / under 300 KB compressed, beside the API", async () => {
    let compressedBytes = 0;
    const onResponse = async (response: Response) => {
      const length = Number((await response.allHeaders())["content-length"] ?? 0);
      compressedBytes += length;
    };
    page.on("response", onResponse);
    await page.goto(world.url);
    await page.getByRole("heading", { name: "Sign in with your wallet" }).waitFor();
    page.off("response", onResponse);
    expect(compressedBytes).toBeGreaterThan(10_000);
    expect(compressedBytes).toBeLessThan(300 * 1024);
    // the API's own paths are untouched
    expect((await fetch(`${world.url}/api/v1/unknown`)).status).toBe(404);
    expect(await (await fetch(`${world.url}/health`)).json()).toEqual({ status: "ok" });
    await captureBothWidths(page, "sign-in");
  });

  it("signs in with an EIP-6963 EVM wallet in one click and one signature, and stays signed in across a reload", async () => {
    // reachable from the keyboard: Tab to the wallet's button, Enter to sign in
    const target = `Sign in with ${EVM_WALLET_NAME} (Ethereum)`;
    for (let presses = 0; presses < 20; presses++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.textContent ?? "")).includes(target)) break;
    }
    expect(await page.evaluate(() => document.activeElement?.textContent ?? "")).toContain(target);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Credits", exact: true }).waitFor();
    await expect.poll(balanceText).toBe("$0.00");
    const short = `${wallets.evm.address.slice(0, 6)}…${wallets.evm.address.slice(-4)}`;
    await page.getByText(short).first().waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Credits", exact: true }).waitFor();
    await page.getByText(short).first().waitFor();
  });

  it("renews the session before its management key expires", async () => {
    const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem("farebox.session") ?? "null") as { key: string; issuedAt: string; expiresAt: string });
    const before = await stored();
    // as if more than half the session's life had passed: the page renews it as soon as it loads
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem("farebox.session")!);
      const left = Date.parse(session.expiresAt) - Date.now();
      session.issuedAt = new Date(Date.now() - left - 60_000).toISOString();
      localStorage.setItem("farebox.session", JSON.stringify(session));
    });
    await page.reload();
    await expect.poll(async () => (await stored()).key, { timeout: 10_000 }).not.toBe(before.key);
    const after = await stored();
    expect(after.key).toMatch(/^sk-fb-v1-/);
    expect(Date.parse(after.issuedAt)).toBeGreaterThan(Date.now() - 60_000);
    const me = await fetch(`${world.url}/api/v1/credits/balance`, { headers: { authorization: `Bearer ${after.key}` } });
    expect(me.status).toBe(200);
  });

  it("sends a USDC deposit from the wallet and shows it confirming, then credited, with the balance, without a reload", { timeout: 60_000 }, async () => {
    const evmCard = page.locator("article[data-chain^='eip155']");
    await evmCard.locator("[data-qr^='ethereum:']").waitFor();
    await evmCard.getByLabel("USD", { exact: true }).fill("5");
    await evmCard.getByRole("button", { name: "Create intent" }).click();
    const amount = (await evmCard.locator("[data-test=intent-amount]").innerText()).replace(" USDC", "");
    expect(amount).toMatch(/^[45](\.\d{1,6})?$/);
    await evmCard.locator("[data-test=intent] [data-qr^='ethereum:']").waitFor();
    await evmCard.getByRole("button", { name: `Send with ${EVM_WALLET_NAME}` }).click();
    await evmCard.locator("[data-test=sent]").waitFor();
    expect(wallets.sent).toHaveLength(1);

    const status = page.locator("[data-test=deposit-status]").first();
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).toMatch(/^confirming [0-2]\/3$/);
    await captureBothWidths(page, "credits-confirming");
    await world.anvil.mine(3);
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).toBe("credited");
    const [whole, fraction = ""] = amount.split(".");
    await expect.poll(balanceText, { timeout: 10_000 }).toBe(`$${whole}.${fraction.padEnd(2, "0")}`);
    await captureBothWidths(page, "credits");
  });

  it("shows a payment parked for the operator and an orphaned one as such, live", { timeout: 60_000 }, async () => {
    // parked: an exchange (a wallet no account has linked) pays an intent's exact amount after the intent expired
    const evmCard = page.locator("article[data-chain^='eip155']");
    const intentUri = () => evmCard.locator("[data-test=intent] [data-qr^='ethereum:']").getAttribute("data-qr");
    const previous = await intentUri();
    await evmCard.getByLabel("USD", { exact: true }).fill("2");
    await evmCard.getByRole("button", { name: "Create intent" }).click();
    await expect.poll(intentUri).not.toBe(previous);
    const baseUnits = (await intentUri())!.match(/uint256=(\d+)/)![1]!;
    const exchange = 2;
    await world.anvil.publicClient.waitForTransactionReceipt({
      hash: await world.anvil.wallet(0).writeContract({ address: world.usdc, abi: usdcAbi, functionName: "mint", args: [anvilAccount(exchange).address, 10_000_000n] }),
      pollingInterval: 20,
    });
    // the transfer's block is stamped two days on: past the intent's expiry
    await world.anvil.testClient.increaseTime({ seconds: 2 * 86_400 });
    const parked = await sendUsdcToTreasury(exchange, BigInt(baseUnits));
    await world.anvil.mine(3);
    await expect.poll(() => depositStatus(parked).innerText(), { timeout: 20_000 }).toBe("parked for the operator: its intent had expired");

    // orphaned: a linked wallet's transfer seen confirming, then removed by a reorg
    const orphan = await sendUsdcToTreasury(PAYER, 500_000n);
    await expect.poll(() => depositStatus(orphan).innerText(), { timeout: 10_000 }).toMatch(/^confirming [0-2]\/3$/);
    await world.anvil.testClient.request({ method: "anvil_reorg" as never, params: [1, []] as never });
    await world.anvil.mine(5);
    await expect.poll(() => depositStatus(orphan).innerText(), { timeout: 20_000 }).toBe("orphaned");
    await captureBothWidths(page, "credits-parked-orphaned");
  });

  it("creates a key shown once, copies it, and the openai SDK calls a model with it", async () => {
    await page.getByRole("link", { name: "Keys", exact: true }).click();
    await page.getByLabel("Name").fill("browser test");
    await page.getByLabel("Limit (USD, optional)").fill("2");
    await page.getByLabel("Limit resets").selectOption("daily");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await page.locator("[data-test=secret]").innerText();
    expect(secret).toMatch(/^sk-fb-v1-[0-9a-f]{64}$/);
    await page.getByRole("button", { name: "Copy key" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    inferenceKey = await page.evaluate(() => navigator.clipboard.readText());
    expect(inferenceKey).toBe(secret);
    await page.locator("[data-test=keys] tr", { hasText: "browser test" }).waitFor();
    await page.getByText(wallets.evm.address.slice(0, 6)).first().waitFor();
    await captureBothWidths(page, "keys");

    // an app identifying itself the OpenRouter way, so it shows among the top apps
    const client = new OpenAI({ baseURL: `${world.url}/api/v1`, apiKey: inferenceKey, defaultHeaders: { "HTTP-Referer": "https://chat.acme.dev/", "X-Title": "Acme Chat" } });
    const answer = await client.chat.completions.create({ model: MODEL_ID, messages: [{ role: "user", content: "Hi" }] });
    expect(answer.choices[0]?.message.content).toBe(ANSWER);
  });

  it("shows the call in Activity with charts, and opens its generation whole", { timeout: 30_000 }, async () => {
    await page.getByRole("link", { name: "Activity", exact: true }).click();
    // usage rollups land within a second; the page fetches again when the window regains focus
    const requests = async () => {
      await page.evaluate(() => dispatchEvent(new Event("focus")));
      return page.locator("[data-test=requests]").innerText();
    };
    await expect.poll(requests, { timeout: 10_000, interval: 500 }).toBe("1");
    const line = page.locator("[data-test=generations] button", { hasText: MODEL_ID });
    await line.waitFor();
    await line.click();
    const generation = page.locator("[data-test=generation]");
    await generation.getByText('"provider_responses"').waitFor();
    await generation.getByText('"tokens_completion": 9').waitFor();
    expect(await emptyCharts(page)).toEqual([]);
    await page.locator("[data-chart] canvas").first().waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    const csv = await new Promise<string>((resolve, reject) =>
      download.createReadStream().then((stream) => {
        let text = "";
        stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
        stream.on("end", () => resolve(text));
        stream.on("error", reject);
      }, reject),
    );
    expect(csv.split("\r\n")[0]).toMatch(/^model,requests,prompt_tokens,completion_tokens/);
    expect(csv).toContain(`${MODEL_ID},1,11,9`);
    // by key, a key is named as its owner named it, not by its internal id
    await page.locator("label", { hasText: /^By/ }).locator("select").selectOption("key");
    await page.locator("[data-test=breakdown] tbody tr td", { hasText: /^browser test$/ }).waitFor();
    await captureBothWidths(page, "activity");
  });

  it("streams an answer in the playground and shows its cost", { timeout: 30_000 }, async () => {
    await page.getByRole("link", { name: "Playground", exact: true }).click();
    await page.getByLabel("Inference key").fill(inferenceKey);
    await page.getByLabel("Message").fill("Say hello");
    await page.getByRole("button", { name: "Send" }).click();
    // the answer grows on screen before it is complete
    const streaming = page.locator("[data-test=streaming]");
    await expect.poll(async () => (await streaming.innerText().catch(() => "")).length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await streaming.innerText()).length).toBeLessThan(ANSWER.length);
    await page.locator("[data-test=chat] li.assistant", { hasText: ANSWER }).waitFor();
    await expect.poll(() => page.locator("[data-test=cost]").innerText()).toMatch(/^This answer cost \$0\.0000\d+ \(11 prompt \+ 9 completion tokens\)/);
    await captureBothWidths(page, "playground");
  });

  it("lists models with prices per million tokens and each endpoint's live health", async () => {
    await page.getByRole("link", { name: "Models", exact: true }).click();
    const row = page.locator("[data-test=models] tr", { hasText: MODEL_ID });
    await expect.poll(() => row.innerText()).toContain("$1\t$2");
    await row.getByRole("button", { name: "Test Chat" }).click();
    await page.locator("[data-test=endpoints]").getByText("100.0% / 100.0%").waitFor();
    await captureBothWidths(page, "models");
  });

  it("draws the public rankings with data", { timeout: 20_000 }, async () => {
    await page.getByRole("link", { name: "Rankings", exact: true }).click();
    await page.locator("[data-test=leaderboard]").getByText(MODEL_ID).waitFor();
    await page.locator("[data-chart] canvas").first().waitFor();
    expect(await page.locator("[data-chart]").count()).toBe(3);
    expect(await emptyCharts(page)).toEqual([]);
    await captureBothWidths(page, "rankings");
    // light and dark follow the system
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    const ink = () => page.evaluate(() => getComputedStyle(document.body).color);
    const lightInk = await ink();
    expect(await chartPixelsOfColor(page, lightInk)).toBeGreaterThan(20);
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await background()).not.toBe(light);
    // the charts' axes (drawn on a canvas, which knows no CSS) follow the switch without a reload
    const darkInk = await ink();
    expect(darkInk).not.toBe(lightInk);
    await expect.poll(() => chartPixelsOfColor(page, darkInk)).toBeGreaterThan(20);
    expect(await chartPixelsOfColor(page, lightInk)).toBe(0);
    await captureBothWidths(page, "rankings-dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("shows the BYOK page", async () => {
    // BYOK is off on this server (no master key): the server's reason is shown in words
    guard.expect("/api/v1/byok", 403);
    await page.getByRole("link", { name: "Your provider keys" }).click();
    await page.getByRole("heading", { name: "Bring your own key" }).waitFor();
    await page.getByText("FAREBOX_BYOK_MASTER_KEY").waitFor();
    await captureBothWidths(page, "byok");
  });

  it("links a Wallet Standard Solana wallet, signs out, and signs in with it into the same account", async () => {
    await page.getByRole("link", { name: "Keys", exact: true }).click();
    await page.getByText("Link another wallet").click();
    const [verified] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith("/api/v1/auth/verify")),
      page.getByRole("button", { name: `Link ${SOLANA_WALLET_NAME} (Solana)` }).click(),
    ]);
    const solanaShort = `${wallets.solana.address.slice(0, 6)}…${wallets.solana.address.slice(-4)}`;
    await page.locator("[data-test=wallets]").getByText(solanaShort).waitFor();
    // linking answered with a fresh management key the page has no use for: it is revoked, not left alive
    const spareKey = ((await verified.json()) as { key: string }).key;
    const spareKeyWorks = async () => (await fetch(`${world.url}/api/v1/credits/balance`, { headers: { authorization: `Bearer ${spareKey}` } })).status;
    await expect.poll(spareKeyWorks).toBe(401);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in with your wallet" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("farebox.session"))).toBeNull();
    await page.getByRole("button", { name: `Sign in with ${SOLANA_WALLET_NAME} (Solana)` }).click();
    await page.getByRole("heading", { name: "Credits", exact: true }).waitFor();
    await page.locator("header").getByText(solanaShort).waitFor();
    // the same account: the EVM wallet's deposit is there
    await expect.poll(() => depositStatus(wallets.sent[0]!).innerText()).toBe("credited");
    await expect.poll(balanceText).toMatch(/^\$[1-9]\.\d+$/);
    await page.locator("article[data-chain^='solana'] [data-qr^='solana:']").first().waitFor();
  });

  it("sends USDC from the Solana wallet with the intent's reference and shows it confirming, then credited, without a reload", { timeout: 60_000 }, async () => {
    await page.getByRole("link", { name: "Credits", exact: true }).click();
    const card = page.locator("article[data-chain^='solana']");
    await card.getByLabel("USD", { exact: true }).fill("3");
    await card.getByRole("button", { name: "Create intent" }).click();
    const uri = await card.locator("[data-test=intent] [data-qr^='solana:']").getAttribute("data-qr");
    const reference = new URLSearchParams(uri!.slice(uri!.indexOf("?") + 1)).get("reference");
    expect(reference).toBeTruthy();
    const amount = (await card.locator("[data-test=intent-amount]").innerText()).replace(" USDC", "");
    const before = await balanceText();
    await card.getByRole("button", { name: `Send with ${SOLANA_WALLET_NAME}` }).click();
    await card.locator("[data-test=sent]").waitFor();
    expect(wallets.solanaSent).toHaveLength(1);
    const signature = wallets.solanaSent[0]!;
    // what the chain executed: a transfer of exactly the intent's amount that names the reference key
    const executed = world.solana.chain.anyTransaction(signature)!;
    expect(executed.err).toBeFalsy();
    expect(executed.accountKeys).toContain(reference);
    expect(executed.accountKeys).toContain(wallets.solana.address);

    const status = page.locator("[data-test=deposits] tr").filter({ has: page.locator(`code[title="${signature}"]`) }).locator("[data-test=deposit-status]");
    await expect.poll(() => status.innerText(), { timeout: 10_000 }).toBe("confirming");
    world.solana.chain.finalizeAll();
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).toBe("credited");
    // exact decimals as the page shows them, compared in nano-USD
    const nano = (text: string) => {
      const [whole = "0", fraction = ""] = text.replace("$", "").split(".");
      return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0"));
    };
    await expect.poll(async () => nano(await balanceText()), { timeout: 10_000 }).toBe(nano(before) + nano(amount));
    await captureBothWidths(page, "credits-solana");
  });

  it("shows the server's 402 in words: how many tokens the money left affords", async () => {
    await page.getByRole("link", { name: "Keys", exact: true }).click();
    await page.getByLabel("Name").fill("tiny limit");
    await page.getByLabel("Limit (USD, optional)").fill("0.0005");
    await page.getByRole("button", { name: "Create key" }).click();
    const tinyKey = await page.locator("[data-test=secret]").innerText();
    guard.expect("/api/v1/chat/completions", 402);
    await page.getByRole("link", { name: "Playground", exact: true }).click();
    await page.getByLabel("Inference key").fill(tinyKey);
    await page.getByLabel("Message").fill("Say hello");
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toMatch(/Without max_tokens this request is held for up to 1000 output tokens, but the key's remaining limit can only afford \d+\./);
  });

  it("disables, then deletes a key", async () => {
    await page.getByRole("link", { name: "Keys", exact: true }).click();
    const row = page.locator("[data-test=keys] tr", { hasText: "tiny limit" });
    await row.getByRole("button", { name: "Disable" }).click();
    await row.getByRole("button", { name: "Enable" }).waitFor();
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Delete" }).click();
    await row.waitFor({ state: "detached" });
    await page.locator("[data-test=keys] tr", { hasText: "browser test" }).waitFor();
  });
});
