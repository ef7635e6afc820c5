/**
 * The language constants, what the evaluating Nix would report about itself (unknowable here),
 * and the builtins that steer evaluation: errors, tracing, strictness, `tryEval`.
 */
import { known, knownText } from '../../../pattern';
import { unknown, type Value } from '../../value';
import { FALSE, NULL, TRUE, attrs, fn, fn2, force, int, str, unknownString } from '../helpers';
import { strPattern, thrown } from './support';

export function evaluationBuiltins(): Record<string, Value> {
  const entries: Record<string, Value> = {};
  const def = (name: string, v: Value) => (entries[name] = v);

  def('true', TRUE);
  def('false', FALSE);
  def('null', NULL);
  def('langVersion', int(6));
  def('nixVersion', unknownString());
  def('currentSystem', unknownString());
  def('currentTime', unknown('currentTime'));
  def('storeDir', str('/nix/store'));
  def('nixPath', unknown('nixPath'));

  def('throw', fn('throw', (m) => thrown(`throw: ${knownText(strPattern(force(m)) ?? known('')) ?? '?'}`)));
  def('abort', fn('abort', (m) => thrown(`abort: ${knownText(strPattern(force(m)) ?? known('')) ?? '?'}`)));
  def('trace', fn2('trace', (_m, v) => force(v)));
  def('traceVerbose', fn2('traceVerbose', (_m, v) => force(v)));
  def('warn', fn2('warn', (_m, v) => force(v)));
  def('seq', fn2('seq', (a, v) => (force(a), force(v))));
  def('deepSeq', fn2('deepSeq', (_a, v) => force(v)));
  def('addErrorContext', fn2('addErrorContext', (_m, v) => force(v)));
  def('unsafeDiscardStringContext', fn('unsafeDiscardStringContext', (s) => force(s)));
  def('unsafeDiscardOutputDependency', fn('unsafeDiscardOutputDependency', (s) => force(s)));
  def('unsafeGetAttrPos', fn2('unsafeGetAttrPos', () => NULL));
  def('tryEval', fn('tryEval', (e) => {
    const v = force(e);
    if (v.kind === 'unknown') {
      if (v.thrown) return attrs({ success: FALSE, value: FALSE });
      return attrs({ success: unknown(v.reason), value: v });
    }
    return attrs({ success: TRUE, value: v });
  }));

  return entries;
}
