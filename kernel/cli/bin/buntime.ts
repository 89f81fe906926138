#!/usr/bin/env bun
import { main } from "../src/main.ts";

process.exit(await main(process.argv.slice(2)));
