/** A QR code of `value` (an EIP-681 or Solana Pay URI), drawn as inline SVG. */
import { renderSVG } from "uqr";

export function Qr({ value, label }: { value: string; label: string }) {
  return <div class="qr" role="img" aria-label={label} data-qr={value} dangerouslySetInnerHTML={{ __html: renderSVG(value, { border: 2 }) }} />;
}
