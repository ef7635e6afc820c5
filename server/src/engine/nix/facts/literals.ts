/**
 * MicroVM interface definitions as written, found in the AST: an attribute set in a list with an
 * `id` and a `type` of "tap", "macvtap", "user" or "bridge" — the shape of a `microvm.interfaces`
 * entry. What evaluation reaches is reported with its configuration; a definition no
 * configuration reaches must still be reported (no silent loss), and these sites are how it is.
 */
import type { AstBinding, NixNode, ParsedNixFile, StrNodePart } from '../ast';
import { HOLE, pattern, type StrPart, type StrPattern } from '../../pattern';
import { comparePositions, type Location } from '../../text';

const TYPES = new Set(['tap', 'macvtap', 'user', 'bridge']);

export interface InterfaceLiteral {
  /** The attribute set. */
  location: Location;
  type: string;
  id: { value: StrPattern; location: Location };
  mac: { value: StrPattern; location: Location } | null;
}

/** Whether `text` can hold an interface literal at all (a cheap test before parsing). */
export function mayHoldInterfaceLiteral(text: string): boolean {
  return /\bid\b/.test(text) && /"(tap|macvtap|user|bridge)"/.test(text);
}

export function interfaceLiterals(parsed: ParsedNixFile): InterfaceLiteral[] {
  const out: InterfaceLiteral[] = [];
  const at = (node: { start: number; end: number }): Location => ({ file: parsed.file, range: parsed.lines.rangeAt(node.start, node.end) });
  // An explicit stack: real files nest deeper than the JS stack allows recursion for.
  const stack: [NixNode, boolean][] = [[parsed.root, false]];
  const push = (child: NixNode, inList: boolean) => stack.push([child, inList]);
  while (stack.length) {
    const [node, inList] = stack.pop()!;
    if (inList && node.kind === 'attrs') {
      const literal = asInterfaceLiteral(node.bindings, at);
      if (literal) out.push({ ...literal, location: at(node) });
    }
    forEachChild(node, push);
  }
  return out.sort((a, b) => comparePositions(a.location.range.start, b.location.range.start));
}

function asInterfaceLiteral(
  bindings: AstBinding[],
  at: (node: { start: number; end: number }) => Location,
): Omit<InterfaceLiteral, 'location'> | undefined {
  let type: string | undefined;
  let id: InterfaceLiteral['id'] | undefined;
  let mac: InterfaceLiteral['mac'] = null;
  for (const b of bindings) {
    if (b.kind === 'inherit') {
      const name = b.names.find((n) => n.name === 'id');
      if (name) id = { value: pattern([HOLE]), location: at(name) };
      continue;
    }
    if (b.path.length !== 1) continue;
    const key = b.path[0].name;
    if (key === 'type' && b.value.kind === 'str' && b.value.parts.length === 1 && typeof b.value.parts[0] === 'string' && TYPES.has(b.value.parts[0])) {
      type = b.value.parts[0];
    } else if (key === 'id') id = { value: literalPattern(b.value), location: at(b.value) };
    else if (key === 'mac') mac = { value: literalPattern(b.value), location: at(b.value) };
  }
  return type !== undefined && id !== undefined ? { type, id, mac } : undefined;
}

/** A string literal's text with every interpolation a hole; anything else is all hole. */
function literalPattern(node: NixNode): StrPattern {
  if (node.kind !== 'str') return pattern([HOLE]);
  const parts: StrPart[] = node.parts.map((p: StrNodePart) => (typeof p === 'string' ? p : HOLE));
  return pattern(parts);
}

function forEachChild(node: NixNode, f: (child: NixNode, inList: boolean) => void): void {
  switch (node.kind) {
    case 'list':
      for (const item of node.items) f(item, true);
      return;
    case 'attrs':
    case 'let':
      for (const b of node.bindings) {
        if (b.kind === 'bind') {
          f(b.value, false);
          for (const k of b.path) if (k.expr) f(k.expr, false);
        } else if (b.from) f(b.from, false);
      }
      if (node.kind === 'let') f(node.body, false);
      return;
    case 'str':
    case 'path':
      for (const p of node.parts) if (typeof p !== 'string') f(p, false);
      return;
    case 'fn':
      for (const formal of node.formals ?? []) if (formal.default) f(formal.default, false);
      f(node.body, false);
      return;
    case 'apply':
      f(node.fn, false);
      // `[ ({ … }) ]` and `map (x: { … })` results: an argument that is a list keeps list-ness
      f(node.arg, false);
      return;
    case 'select':
      f(node.expr, false);
      for (const k of node.path) if (k.expr) f(k.expr, false);
      if (node.default) f(node.default, false);
      return;
    case 'has':
      f(node.expr, false);
      return;
    case 'binop':
      // `[ { … } ] ++ rest`: both operands of `++` are lists themselves
      f(node.left, false);
      f(node.right, false);
      return;
    case 'not':
    case 'neg':
      f(node.expr, false);
      return;
    case 'if':
      f(node.cond, false);
      f(node.then, false);
      f(node.else, false);
      return;
    case 'with':
      f(node.env, false);
      f(node.body, false);
      return;
    case 'assert':
      f(node.cond, false);
      f(node.body, false);
      return;
    default:
      return;
  }
}
