/** One button per wallet found; pressing one connects, signs the challenge and signs in (or links). */
import type { Wallet } from "@wallet-standard/base";
import { useAction } from "../ui/action.js";
import { Busy, ErrorLine } from "../ui/status.js";
import { connectEvm, signEvmMessage, type EvmWallet } from "./evm.js";
import { connectSolana, signSolanaMessage } from "./solana.js";
import { walletSignIn } from "./sign-in.js";
import { useWallets } from "./use-wallets.js";

export function WalletButtons({ link = false, onDone }: { link?: boolean; onDone?: () => void }) {
  const wallets = useWallets();
  const action = useAction();
  const withEvm = (wallet: EvmWallet) =>
    action.run(async () => {
      const address = await connectEvm(wallet);
      await walletSignIn("evm", address, (message) => signEvmMessage(wallet, address, message), link);
      onDone?.();
    });
  const withSolana = (wallet: Wallet) =>
    action.run(async () => {
      const account = await connectSolana(wallet);
      await walletSignIn("solana", account.address, (message) => signSolanaMessage(wallet, account, message), link);
      onDone?.();
    });
  const verb = link ? "Link" : "Sign in with";
  return (
    <div class="wallets">
      {wallets.evm.length + wallets.solana.length === 0 ? (
        <p class="muted">No browser wallet found. Install an Ethereum or Solana wallet extension, then reload this page.</p>
      ) : null}
      {wallets.evm.map((wallet) => (
        <button type="button" class="wallet" disabled={action.busy} onClick={() => withEvm(wallet)} key={wallet.id}>
          {wallet.icon ? <img src={wallet.icon} alt="" width={24} height={24} /> : null} {verb} {wallet.name} (Ethereum)
        </button>
      ))}
      {wallets.solana.map((wallet) => (
        <button type="button" class="wallet" disabled={action.busy} onClick={() => withSolana(wallet)} key={wallet.name}>
          <img src={wallet.icon} alt="" width={24} height={24} /> {verb} {wallet.name} (Solana)
        </button>
      ))}
      <Busy when={action.busy}>Waiting for the wallet: approve the connection and sign the message (it sends no transaction).</Busy>
      <ErrorLine message={action.error} />
    </div>
  );
}
