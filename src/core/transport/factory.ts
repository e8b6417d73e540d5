// One entry point for every connection string: `embedded[:name]` gives the in-process transport, anything else
// the Redis one.
import { EmbeddedTransport } from './embedded/transport';
import { RedisTransport, type RedisTransportOptions } from './redis';
import type { Transport } from './types';
import { parseConnectionUrl } from './url';

export type TransportOptions = RedisTransportOptions;

export function createTransport(options: TransportOptions): Transport {
  const target = parseConnectionUrl(options.url);
  if (target.kind === 'embedded') return new EmbeddedTransport({ name: target.name });
  return new RedisTransport(options);
}
