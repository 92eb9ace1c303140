import type { Command } from '../command.js';
import { reprojectCommand } from './reproject.js';
import { rulesCommand } from './rules.js';
import { sqlCommand } from './sql.js';
import { gatewayCommand, ingestCommand, replayCommand, startCommand } from './start.js';
import { tokenCommand } from './token.js';

/** Every `tollgate` subcommand, in the order `tollgate --help` lists them. */
export const commands: readonly Command[] = [startCommand, gatewayCommand, ingestCommand, replayCommand, tokenCommand, sqlCommand, reprojectCommand, rulesCommand];
