export * from './errors';
export * from './logger';
export type * from './transport/types';
