/// <reference lib="dom" />
/**
 * Browser wallets for the dashboard tests, injected into every page before its scripts run: an
 * EIP-1193 provider announced with EIP-6963 whose requests are answered in Node by a local viem
 * account on anvil, and a Wallet Standard Solana wallet whose messages and transactions are signed in
 * Node with a local ed25519 keypair (transactions are sent to the Solana RPC harness, as a wallet
 * sends through its own node). The page sees exactly what a real extension would offer it.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { VersionedTransaction } from "@solana/web3.js";
import type { BrowserContext } from "playwright-core";
import { toHex, type Account, type Hex } from "viem";
import { anvilAccount, type Anvil } from "../../support/anvil.js";
import { encodeBase58 } from "../../support/solana-rpc/chain.js";

export const EVM_WALLET_NAME = "Test EVM Wallet";
export const SOLANA_WALLET_NAME = "Test Solana Wallet";

const ICON = "data:image/svg+xml;base64," + Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#6366f1"/></svg>').toString("base64");

/** Runs in the page: announces both wallets and forwards their calls to the bindings below. */
function injectWallets(config: { icon: string; evmName: string; solanaName: string; solanaAddress: string; solanaPublicKey: number[] }): void {
  type Answer = { result?: unknown; error?: { code: number; message: string } };
  const w = window as unknown as {
    __walletEvm(method: string, params: unknown): Promise<Answer>;
    __walletSolanaSign(message: number[]): Promise<number[]>;
    __walletSolanaSend(transaction: number[]): Promise<number[]>;
  };
  const provider = {
    async request({ method, params }: { method: string; params?: unknown }) {
      const answer = await w.__walletEvm(method, params ?? []);
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
    on() {
      return provider;
    },
    removeListener() {
      return provider;
    },
  };
  const info = { uuid: "5b0a1d8e-6c1f-4e2a-9d3b-1f7c2a9e4b60", name: config.evmName, icon: config.icon, rdns: "test.farebox.wallet" };
  const announce = () => dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  addEventListener("eip6963:requestProvider", announce);
  announce();

  const account = {
    address: config.solanaAddress,
    publicKey: new Uint8Array(config.solanaPublicKey),
    chains: ["solana:mainnet"],
    features: ["solana:signMessage", "solana:signAndSendTransaction"],
  };
  const wallet = {
    version: "1.0.0",
    name: config.solanaName,
    icon: config.icon,
    chains: ["solana:mainnet"],
    accounts: [] as (typeof account)[],
    features: {
      "standard:connect": {
        version: "1.0.0",
        connect: async () => {
          wallet.accounts = [account];
          return { accounts: wallet.accounts };
        },
      },
      "standard:events": { version: "1.0.0", on: () => () => undefined },
      "solana:signAndSendTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        signAndSendTransaction: async (...inputs: { transaction: Uint8Array }[]) =>
          Promise.all(inputs.map(async ({ transaction }) => ({ signature: new Uint8Array(await w.__walletSolanaSend([...transaction])) }))),
      },
      "solana:signMessage": {
        version: "1.0.0",
        signMessage: async (...inputs: { message: Uint8Array }[]) =>
          Promise.all(inputs.map(async ({ message }) => ({ signedMessage: message, signature: new Uint8Array(await w.__walletSolanaSign([...message])) }))),
      },
    },
  };
  const register = (api: { register(wallet: unknown): unknown }) => api.register(wallet);
  addEventListener("wallet-standard:app-ready", (event) => register((event as CustomEvent).detail));
  dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: register }));
}

export interface TestWallets {
  evm: Account;
  solana: { address: string; privateKey: KeyObject };
  /** Transactions the EVM wallet sent. */
  sent: Hex[];
  /** Signatures (base58) of the transactions the Solana wallet signed and sent. */
  solanaSent: string[];
}

/**
 * Installs both wallets in every page of `context`; EVM calls are signed by anvil account `evmIndex`,
 * Solana transactions are sent to the JSON-RPC server at `solanaRpcUrl`.
 */
export async function installTestWallets(context: BrowserContext, anvil: Anvil, evmIndex: number, solanaRpcUrl: string): Promise<TestWallets> {
  const evm = anvilAccount(evmIndex);
  const signer = anvil.wallet(evmIndex);
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const rawPublicKey = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const solana = { address: encodeBase58(rawPublicKey), privateKey: createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" })) };
  const sent: Hex[] = [];
  const solanaSent: string[] = [];

  await context.exposeFunction("__walletEvm", async (method: string, params: unknown[]) => {
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return { result: [evm.address] };
      case "eth_chainId":
        return { result: toHex(anvil.chainId) };
      case "personal_sign":
        return { result: await evm.signMessage!({ message: { raw: params[0] as Hex } }) };
      case "wallet_switchEthereumChain":
        return { result: null };
      case "eth_sendTransaction": {
        const tx = params[0] as { to: Hex; data?: Hex; value?: Hex };
        const hash = await signer.sendTransaction({ to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : undefined });
        sent.push(hash);
        return { result: hash };
      }
      default:
        try {
          return { result: await anvil.publicClient.request({ method, params } as never) };
        } catch (error) {
          return { error: { code: -32603, message: String(error) } };
        }
    }
  });
  await context.exposeFunction("__walletSolanaSign", (message: number[]) => [...sign(null, Buffer.from(message), solana.privateKey)]);
  await context.exposeFunction("__walletSolanaSend", async (bytes: number[]) => {
    const transaction = VersionedTransaction.deserialize(Uint8Array.from(bytes));
    const signature = sign(null, transaction.message.serialize(), solana.privateKey);
    transaction.addSignature(transaction.message.staticAccountKeys[0]!, signature);
    const response = await fetch(solanaRpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: [Buffer.from(transaction.serialize()).toString("base64"), { encoding: "base64" }] }),
    });
    const answer = (await response.json()) as { result?: string; error?: { message: string } };
    if (!answer.result) throw new Error(`the Solana node refused the transaction: ${answer.error?.message}`);
    solanaSent.push(answer.result);
    return [...signature];
  });
  await context.addInitScript(injectWallets, {
    icon: ICON,
    evmName: EVM_WALLET_NAME,
    solanaName: SOLANA_WALLET_NAME,
    solanaAddress: solana.address,
    solanaPublicKey: [...rawPublicKey],
  });
  return { evm, solana, sent, solanaSent };
}
