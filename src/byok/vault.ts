import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../domain/errors.js";
import type { MasterKey, MasterKeyring } from "./master-keys.js";
import { ProviderSecret } from "./secret.js";

/** What a sealed key is bound to: opening it under any other account or provider fails. */
export interface KeyBinding {
  accountId: string;
  provider: string;
}

/** A provider key at rest: AES-256-GCM ciphertext, its IV and tag, and the master key id. */
export interface SealedKey {
  masterKeyId: string;
  /** base64, 12 random bytes per seal. */
  iv: string;
  /** base64. */
  ciphertext: string;
  /** base64, 16 bytes. */
  authTag: string;
}

const IV_BYTES = 12;
const AAD_VERSION = "farebox-byok-v1";

/** Associated data binding a ciphertext to its row: account and provider, length-prefixed. */
function associatedData(binding: KeyBinding): Buffer {
  const parts = [AAD_VERSION, binding.accountId, binding.provider];
  return Buffer.from(parts.map((part) => `${part.length}:${part}`).join("|"), "utf8");
}

/** Raised when a stored key cannot be opened; says which row and why, never any key material. */
export function vaultFault(message: string, binding: KeyBinding): AppError {
  return new AppError(message, {
    httpStatus: 500,
    errorType: "server",
    metadata: { provider: binding.provider },
  });
}

/**
 * Encrypts and decrypts provider keys under the operator's master keyring. Pure apart from
 * randomness; storage lives in the BYOK store.
 */
export class KeyVault {
  readonly #keyring: MasterKeyring;

  constructor(keyring: MasterKeyring) {
    this.#keyring = keyring;
  }

  /** Id of the master key new rows are sealed with. */
  get currentKeyId(): string {
    return this.#keyring.current.id;
  }

  /** Seals `secret` for `binding` under the current master key with a fresh random IV. */
  seal(secret: ProviderSecret, binding: KeyBinding): SealedKey {
    const master = this.#keyring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", master.key, iv);
    cipher.setAAD(associatedData(binding));
    const ciphertext = Buffer.concat([cipher.update(secret.reveal(), "utf8"), cipher.final()]);
    return {
      masterKeyId: master.id,
      iv: iv.toString("base64"),
      ciphertext: ciphertext.toString("base64"),
      authTag: cipher.getAuthTag().toString("base64"),
    };
  }

  /** Opens a sealed key; throws a fault (without key material) on a tampered row or an unknown master key. */
  open(sealed: SealedKey, binding: KeyBinding): ProviderSecret {
    const master = this.#find(sealed.masterKeyId);
    if (master === undefined) {
      throw vaultFault(
        `stored key for provider ${binding.provider} was sealed with master key ${sealed.masterKeyId}, which is not configured`,
        binding,
      );
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", master.key, Buffer.from(sealed.iv, "base64"));
      decipher.setAAD(associatedData(binding));
      decipher.setAuthTag(Buffer.from(sealed.authTag, "base64"));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]);
      return new ProviderSecret(plain.toString("utf8"));
    } catch {
      throw vaultFault(`stored key for provider ${binding.provider} failed authentication`, binding);
    }
  }

  /** True when the row was sealed by an older master key and should be re-sealed. */
  needsRotation(sealed: SealedKey): boolean {
    return sealed.masterKeyId !== this.#keyring.current.id;
  }

  /** Opens with whichever master key sealed the row and seals again under the current one. */
  reseal(sealed: SealedKey, binding: KeyBinding): SealedKey {
    return this.seal(this.open(sealed, binding), binding);
  }

  #find(id: string): MasterKey | undefined {
    if (this.#keyring.current.id === id) return this.#keyring.current;
    return this.#keyring.previous.find((key) => key.id === id);
  }
}
