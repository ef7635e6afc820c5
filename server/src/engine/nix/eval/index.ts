export * from './evaluator';
export * from './helpers';
