// Launcher for the real Medusa backend, written by scripts/real-medusa.
//
// `medusa start` listens on every interface and has no host option, so this
// file does what @medusajs/medusa/dist/commands/start.js does (run Medusa's
// loaders on an express app, then listen), but binds to HOST (127.0.0.1).
"use strict";

if (!process.env.NODE_ENV) process.env.NODE_ENV = "development";
if (!process.env.MEDUSA_DISABLE_TELEMETRY) process.env.MEDUSA_DISABLE_TELEMETRY = "true";

require("core-js/stable");
require("regenerator-runtime/runtime");

const express = require("express");
const { GracefulShutdownServer } = require("medusa-core-utils");
const loaders = require("@medusajs/medusa/dist/loaders").default;

const host = process.env.HOST || "127.0.0.1";
const port = parseInt(process.env.PORT || "9000", 10);

async function main() {
  const started = Date.now();
  const app = express();
  const { shutdown, prepareShutdown } = await loaders({
    directory: __dirname,
    expressApp: app,
  });

  const httpServer = app.listen(port, host);
  httpServer.on("listening", () => {
    console.log(
      `[real-medusa] Server is ready on http://${host}:${port} ` +
        `(pid ${process.pid}, loaders took ${Date.now() - started} ms)`
    );
  });
  httpServer.on("error", (err) => {
    console.error(`[real-medusa] cannot listen on ${host}:${port}: ${err.message}`);
    process.exit(1);
  });
  const server = GracefulShutdownServer.create(httpServer);

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`[real-medusa] ${signal} received, shutting down`);
    // Do not hang forever on a stuck connection.
    setTimeout(() => process.exit(0), 8000).unref();
    server
      .shutdown()
      .then(() => prepareShutdown())
      .then(() => shutdown())
      .then(() => process.exit(0))
      .catch((e) => {
        console.error("[real-medusa] error while shutting down", e);
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  console.error("[real-medusa] Error starting server:", err && err.stack ? err.stack : err);
  process.exit(1);
});
