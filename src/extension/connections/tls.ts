// TLS options of a connection: its settings turned into what the transport takes, reading the CA file.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describeError, UCoreError, type Logger, type TlsSettings } from '../../core/index';
import type { ConnectionSetting } from './settings';

/**
 * The transport's TLS options for a connection's `tls` setting, or undefined without one. A relative `caFile` is
 * read from `baseDir` (the first workspace folder). Turning certificate checks off is logged as a warning.
 */
export async function readTlsOptions(
  name: string,
  setting: ConnectionSetting['tls'],
  baseDir: string | undefined,
  log: Logger,
): Promise<TlsSettings | undefined> {
  if (!setting) return undefined;
  const tls: TlsSettings = {};
  if (setting.rejectUnauthorized === false) {
    tls.rejectUnauthorized = false;
    log.warn(`"${name}": TLS certificate verification is turned off`);
  }
  if (setting.caFile) {
    const file = path.isAbsolute(setting.caFile) || !baseDir ? setting.caFile : path.join(baseDir, setting.caFile);
    try {
      tls.ca = await readFile(file, 'utf8');
    } catch (e) {
      throw new UCoreError('TLS', `cannot read the CA file of "${name}": ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
    }
  }
  return tls;
}
