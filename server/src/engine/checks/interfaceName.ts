/**
 * Interface names (docs/domain/networkd.md §3.7, §5): at most 15 bytes (upstream asserts this for every
 * interface type), printable ASCII without `:` `/` `%` and not a reserved word (host-side names).
 */
import type { Diagnostic, MicrovmInterface } from '../model';
import { knownText, minUtf8Length } from '../pattern';
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic, perObject, tapLabel } from './context';

const { interfaceNameTooLong, interfaceNameInvalid } = DIAGNOSTICS;

const MAX_BYTES = 15;

export function invalidNameReason(name: string): string | null {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..' || name === 'all' || name === 'default') return `\`${name}\` is reserved`;
  if (/^[0-9]+$/.test(name)) return 'it is all digits';
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code < 33 || code > 126) return `it contains ${code === 32 ? 'a space' : `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`}`;
    if (ch === ':' || ch === '/' || ch === '%') return `it contains \`${ch}\``;
  }
  return null;
}

const nameDiagnostics = perObject((iface: MicrovmInterface): Diagnostic[] => {
  const out: Diagnostic[] = [];
  const bytes = minUtf8Length(iface.id.value);
  const text = knownText(iface.id.value);
  if (bytes > MAX_BYTES) {
    const size = text === undefined ? `at least ${bytes}` : `${bytes}`;
    out.push(
      diagnostic(
        interfaceNameTooLong,
        `interface id ${tapLabel(iface)} is ${size} bytes long; Linux interface names are at most ${MAX_BYTES} bytes (microvm.nix asserts this)`,
        iface.id.location,
      ),
    );
    return out;
  }
  if (text === undefined || (iface.type !== 'tap' && iface.type !== 'macvtap')) return out;
  const reason = invalidNameReason(text);
  if (reason) {
    out.push(diagnostic(interfaceNameInvalid, `interface id ${tapLabel(iface)} is not a valid interface name: ${reason}`, iface.id.location));
  }
  return out;
});

export const interfaceNameCheck: Check = {
  codes: [interfaceNameTooLong, interfaceNameInvalid],
  run: () => [],
  perHost: (_ctx, { interfaces }) => interfaces.flatMap(nameDiagnostics),
};
