/** Sign in: one click to connect a wallet, one signature, then the account. */
import { WalletButtons } from "../wallets/wallet-buttons.js";

export function SignInPage() {
  return (
    <section class="narrow">
      <h1>Sign in with your wallet</h1>
      <p>
        No e-mail and no card: your wallet is your account. Signing the message proves you own the address; it costs nothing and sends no
        transaction.
      </p>
      <WalletButtons onDone={() => (location.hash = "#/credits")} />
    </section>
  );
}
