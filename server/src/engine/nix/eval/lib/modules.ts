/**
 * Module-system wrappers, as attrsets exactly as nixpkgs builds them, so the module layer reads
 * them the way NixOS does:
 *   mkIf c v        = { _type = "if"; condition = c; content = v; }
 *   mkMerge l       = { _type = "merge"; contents = l; }
 *   mkOverride p v  = { _type = "override"; priority = p; content = v; }  (mkForce 50, mkDefault 1000, mkOptionDefault 1500)
 *   mkOrder p v     = { _type = "order"; priority = p; content = v; }     (mkBefore 500, mkAfter 1500)
 *   mkOption a      = { _type = "option"; } // a
 * plus option declarations and documentation markers.
 */
import { HOLE, concatPatterns, known, pattern } from '../../../pattern';
import { ready, unknown, type AttrsValue, type Binding, type Value } from '../../value';
import { FALSE, TRUE, attrs, fn, fn2, fn3, force, int, str } from '../helpers';
import { lazy, mkAttrs, type BuiltinHost } from '../builtins/support';

export function moduleLib(host: BuiltinHost, types: AttrsValue): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('mdDoc', fn('mdDoc', (x) => force(x)));
  def('literalExpression', fn('literalExpression', (x) => attrs({ _type: str('literalExpression'), text: x })));
  def('literalMD', fn('literalMD', (x) => attrs({ _type: str('literalMD'), text: x })));
  def('mkIf', fn2('mkIf', (c, v) => attrs({ _type: str('if'), condition: c, content: v })));
  def('mkMerge', fn('mkMerge', (x) => attrs({ _type: str('merge'), contents: x })));
  const mkOverride = fn2('mkOverride', (p, v) => attrs({ _type: str('override'), priority: p, content: v }));
  def('mkOverride', mkOverride);
  const override = (name: string, prio: number) => def(name, fn(name, (v) => attrs({ _type: str('override'), priority: int(prio), content: v })));
  override('mkForce', 50);
  override('mkVMOverride', 10);
  override('mkImageMediaOverride', 60);
  override('mkDefault', 1000);
  override('mkOptionDefault', 1500);
  const mkOrder = fn2('mkOrder', (p, v) => attrs({ _type: str('order'), priority: p, content: v }));
  def('mkOrder', mkOrder);
  const order = (name: string, prio: number) => def(name, fn(name, (v) => attrs({ _type: str('order'), priority: int(prio), content: v })));
  order('mkBefore', 500);
  order('mkAfter', 1500);
  def('mkOption', fn('mkOption', (x) => {
    const v = force(x);
    const m = new Map<string, Binding>(v.kind === 'attrs' ? v.attrs : []);
    m.set('_type', { thunk: ready(str('option')) });
    return mkAttrs(m, v.kind === 'attrs' ? v.complete : false, v.kind === 'attrs' ? v.location : undefined);
  }));
  def('mkEnableOption', fn('mkEnableOption', (name) =>
    attrs({
      _type: str('option'),
      default: FALSE,
      example: TRUE,
      description: lazy(() => {
        const n = force(name);
        return str(concatPatterns(known('Whether to enable '), n.kind === 'string' ? n.value : pattern([HOLE]), known('.')));
      }),
      type: lazy(() => types.attrs.get('bool')!.thunk.force()),
    })));
  def('mkPackageOption', fn3('mkPackageOption', () => attrs({ _type: str('option'), default: unknown('package') })));
  def('mkSinkUndeclaredOptions', fn('mkSinkUndeclaredOptions', () => attrs({ _type: str('option') })));
  for (const name of ['mkRemovedOptionModule', 'mkRenamedOptionModule', 'mkAliasOptionModule', 'mkMergedOptionModule', 'mkChangedOptionModule']) {
    def(name, fn(name, () => fn(`${name}'`, () => attrs({}, { complete: false }))));
  }
  def('evalModules', fn('evalModules', (args) => host.moduleSystem?.evalModules(args) ?? unknown('lib.evalModules without a module system')));

  return entries;
}
