/**
 * Solana browser wallets through the Wallet Standard (https://github.com/wallet-standard/wallet-standard):
 * every registered wallet that can sign messages on a Solana chain.
 */
import { getWallets } from "@wallet-standard/app";
import type { Wallet, WalletAccount } from "@wallet-standard/base";

const CONNECT = "standard:connect";
const SIGN_MESSAGE = "solana:signMessage";

interface ConnectFeature {
  connect(input?: { silent?: boolean }): Promise<{ accounts: readonly WalletAccount[] }>;
}
interface SignMessageFeature {
  signMessage(...inputs: { account: WalletAccount; message: Uint8Array }[]): Promise<readonly { signedMessage: Uint8Array; signature: Uint8Array }[]>;
}

const registry = getWallets();

function isSolanaSigner(wallet: Wallet): boolean {
  return wallet.chains.some((chain) => chain.startsWith("solana:")) && CONNECT in wallet.features && SIGN_MESSAGE in wallet.features;
}

/** Registered Solana wallets that can sign in. */
export function solanaWallets(): Wallet[] {
  return registry.get().filter(isSolanaSigner);
}

/** Calls `onChange` when a wallet registers or leaves; returns the unsubscribe. */
export function watchSolanaWallets(onChange: () => void): () => void {
  const offRegister = registry.on("register", onChange);
  const offUnregister = registry.on("unregister", onChange);
  return () => {
    offRegister();
    offUnregister();
  };
}

/** Connects and returns the first account. */
export async function connectSolana(wallet: Wallet): Promise<WalletAccount> {
  const { accounts } = await (wallet.features[CONNECT] as ConnectFeature).connect();
  const account = accounts[0];
  if (!account) throw new Error(`${wallet.name} shared no account`);
  return account;
}

/** Signs the UTF-8 bytes of `message`; the ed25519 signature, base64. */
export async function signSolanaMessage(wallet: Wallet, account: WalletAccount, message: string): Promise<string> {
  const [signed] = await (wallet.features[SIGN_MESSAGE] as SignMessageFeature).signMessage({ account, message: new TextEncoder().encode(message) });
  if (!signed) throw new Error(`${wallet.name} returned no signature`);
  return btoa(String.fromCharCode(...signed.signature));
}
