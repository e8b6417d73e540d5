// The embedded transport: an in-process stand-in for Redis (pub/sub, keys with TTL, streams, consumer groups).
export { EmbeddedServer, getEmbeddedServer, releaseEmbeddedServer, type EmbeddedServerOptions } from './server';
export { EmbeddedTransport, type EmbeddedTransportOptions } from './transport';
