/** The EVM and Solana wallets this browser has, kept current as wallets announce or register. */
import { useEffect, useState } from "preact/hooks";
import type { Wallet } from "@wallet-standard/base";
import { evmWallets, watchEvmWallets, type EvmWallet } from "./evm.js";
import { solanaWallets, watchSolanaWallets } from "./solana.js";

export function useWallets(): { evm: EvmWallet[]; solana: Wallet[] } {
  const [found, setFound] = useState(() => ({ evm: evmWallets(), solana: solanaWallets() }));
  useEffect(() => {
    const refresh = () => setFound({ evm: evmWallets(), solana: solanaWallets() });
    const offEvm = watchEvmWallets(refresh);
    const offSolana = watchSolanaWallets(refresh);
    refresh();
    return () => {
      offEvm();
      offSolana();
    };
  }, []);
  return found;
}
