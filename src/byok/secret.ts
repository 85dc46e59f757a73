import { inspect } from "node:util";

/** Masked form of a provider key: never more than its last four characters. */
export function maskKey(secret: string): string {
  return `…${lastFour(secret)}`;
}

/** The last four characters of a key, the only part of it ever shown or stored in clear. */
export function lastFour(secret: string): string {
  return secret.length <= 4 ? "" : secret.slice(-4);
}

/**
 * A provider key in memory. Every way a value usually leaks (string conversion, JSON,
 * `util.inspect`/console, template literals, pino serializers) yields the masked form;
 * only an explicit `reveal()` hands out the key, at the one place that sends it upstream.
 */
export class ProviderSecret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plaintext key, for the Authorization header of an upstream call and nothing else. */
  reveal(): string {
    return this.#value;
  }

  /** Last four characters, for display. */
  get lastFour(): string {
    return lastFour(this.#value);
  }

  toString(): string {
    return maskKey(this.#value);
  }

  toJSON(): string {
    return maskKey(this.#value);
  }

  [inspect.custom](): string {
    return `ProviderSecret(${maskKey(this.#value)})`;
  }
}
