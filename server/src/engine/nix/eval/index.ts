export * from './evaluator';
export * from './helpers';
export * from './scope';
export { LazyThunk } from './evaluator';
