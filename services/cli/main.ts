#!/usr/bin/env node
// Entry point of the `tollgate` command; the logic lives in program.ts so tests can call it.
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2));
