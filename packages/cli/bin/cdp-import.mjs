#!/usr/bin/env node
// @ts-check
import { main } from "../src/main.mjs";

process.exitCode = await main(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
