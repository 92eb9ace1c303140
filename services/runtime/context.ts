import { loadConfig, type TollgateConfig } from '../core/config/index.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { Env } from '../core/config/index.js';

export interface RuntimeOptions {
  configPath?: string | undefined;
  dataDir?: string | undefined;
  env: Env;
}

export interface RuntimeContext {
  config: TollgateConfig;
  logger: Logger;
}

/**
 * Loads the configuration once, at the edge: `--config`, else $TOLLGATE_CONFIG, else built-in
 * embedded defaults; `--data-dir` overrides dataDir and every path derived from it.
 */
export async function loadRuntime(options: RuntimeOptions): Promise<RuntimeContext> {
  const path = options.configPath ?? options.env['TOLLGATE_CONFIG'];
  const config = await loadConfig(path === '' ? undefined : path, options.env, options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const logger = createLogger({ level: options.env['LOG_LEVEL'] ?? config.log.level, pretty: config.log.pretty || process.stderr.isTTY === true });
  return { config, logger };
}
