#!/usr/bin/env node
// Copies browser assets from node_modules into the dashboard's static assets, so that nothing is
// loaded from a CDN: the product works offline. Runs after every npm install.
import { copyFileSync, mkdirSync } from "node:fs";
import { ROOT } from "./lib.mjs";

const target = `${ROOT}apps/dashboard/public/swagger-ui-dist`;
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  copyFileSync(`${ROOT}node_modules/swagger-ui-dist/${file}`, `${target}/${file}`);
}
