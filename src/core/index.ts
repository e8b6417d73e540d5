// The public API of the UCore event core: `import { ... } from 'ucore-events/core'`.
export * from './errors';
export * from './logger';
export type * from './transport/types';
export * from './transport/url';
export { RedisTransport, type RedisTransportOptions } from './transport/redis';
export { createTransport, type TransportOptions } from './transport/factory';
export * from './envelope/ids';
export * from './envelope/envelope';
export * from './envelope/registry';
export * from './domain/ecommerce';
export * from './adapter';
