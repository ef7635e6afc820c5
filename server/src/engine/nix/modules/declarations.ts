/**
 * The option declarations of a configuration's modules (`options` sections), found per path on
 * demand. A module system with hundreds of modules declares thousands of options and a host
 * reads a few of them: walking every declaration of every module for every host (evaluating each
 * `mkOption` call) was a seventh of the analysis of a large fleet. Only the values on a path that
 * is asked about are forced; siblings stay unevaluated until something asks for them.
 */
import { force, wrapperType } from '../eval/helpers';
import type { AttrsValue, Binding, Thunk } from '../value';

/** As deep as declarations are looked for (a path of at most this many names). */
const MAX_DEPTH = 12;

interface DeclNode {
  /** The values modules give at this path, in module order (an option, or a set of them). */
  readonly thunks: Thunk[];
  readonly depth: number;
  kinds?: { options: AttrsValue[]; subtrees: AttrsValue[] };
  children?: Map<string, DeclNode>;
  defaultBelow?: boolean;
  declaresBelow?: boolean;
}

export interface OptionDeclaration {
  /** The type of the first declaration that gives one. */
  type?: Thunk;
  /** Every declaration's `default`, in module order. */
  defaults: Binding[];
}

export class Declarations {
  private readonly root: DeclNode;

  constructor(optionSections: Thunk[]) {
    this.root = { thunks: optionSections, depth: 0 };
  }

  /** The option declared at exactly this path, if any module declares one there. */
  optionAt(path: readonly string[]): OptionDeclaration | undefined {
    const node = this.nodeAt(path);
    if (!node) return undefined;
    const { options } = this.kinds(node);
    if (options.length === 0) return undefined;
    const defaults: Binding[] = [];
    let type: Thunk | undefined;
    for (const o of options) {
      const d = o.attrs.get('default');
      if (d) defaults.push(d);
      type ??= o.attrs.get('type')?.thunk;
    }
    return { type, defaults };
  }

  /** Names directly below `path` through which some option with a default is declared. */
  defaultNames(path: readonly string[]): string[] {
    const node = this.nodeAt(path);
    if (!node) return [];
    return [...this.children(node)].filter(([, c]) => this.hasDefaultAtOrBelow(c)).map(([k]) => k);
  }

  /** Whether an option with a default is declared strictly below `path`. */
  hasDefaultBelow(path: readonly string[]): boolean {
    const node = this.nodeAt(path);
    if (!node) return false;
    for (const c of this.children(node).values()) if (this.hasDefaultAtOrBelow(c)) return true;
    return false;
  }

  /** Whether some option is declared at `path` or below it. */
  declaresAtOrBelow(path: readonly string[]): boolean {
    const node = this.nodeAt(path);
    return node !== undefined && this.declares(node);
  }

  private nodeAt(path: readonly string[]): DeclNode | undefined {
    let node: DeclNode | undefined = this.root;
    for (const name of path) {
      node = this.children(node).get(name);
      if (!node) return undefined;
    }
    return node;
  }

  /** What each value at a node is: an option declaration, a set of them, or nothing we read. */
  private kinds(node: DeclNode): NonNullable<DeclNode['kinds']> {
    if (node.kinds) return node.kinds;
    // Set before forcing: a module whose options are read through the `options` argument comes
    // back here, and sees what is known so far (never a loop).
    const kinds = (node.kinds = { options: [] as AttrsValue[], subtrees: [] as AttrsValue[] });
    for (const t of node.thunks) {
      const v = force(t);
      if (v.kind !== 'attrs') continue;
      const w = wrapperType(v);
      if (w === 'option') kinds.options.push(v);
      else if (!w) kinds.subtrees.push(v);
    }
    return kinds;
  }

  private children(node: DeclNode): Map<string, DeclNode> {
    if (node.children) return node.children;
    const children = (node.children = new Map<string, DeclNode>());
    if (node.depth < MAX_DEPTH) {
      for (const set of this.kinds(node).subtrees) {
        for (const [name, b] of set.attrs) {
          let child = children.get(name);
          if (!child) children.set(name, (child = { thunks: [], depth: node.depth + 1 }));
          child.thunks.push(b.thunk);
        }
      }
    }
    return children;
  }

  private hasDefaultAtOrBelow(node: DeclNode): boolean {
    if (node.defaultBelow !== undefined) return node.defaultBelow;
    node.defaultBelow = false; // a set that contains itself
    let found = this.kinds(node).options.some((o) => o.attrs.has('default'));
    if (!found) for (const c of this.children(node).values()) if ((found = this.hasDefaultAtOrBelow(c))) break;
    node.defaultBelow = found;
    return found;
  }

  private declares(node: DeclNode): boolean {
    if (node.declaresBelow !== undefined) return node.declaresBelow;
    node.declaresBelow = false;
    let found = this.kinds(node).options.length > 0;
    if (!found) for (const c of this.children(node).values()) if ((found = this.declares(c))) break;
    node.declaresBelow = found;
    return found;
  }
}
