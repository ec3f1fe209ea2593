// Custom routes of the provisioned project. Medusa v1 requires
// <project>/dist/api and mounts `default(rootDirectory, pluginOptions)` at "/".
//
//   GET  /_mock/events[?name=...]  -> 200 {"events": [{name, data, created_at}]}
//   POST /_mock/reset-events       -> 200 {"cleared": N}
//
// Same shape as the mock server's control plane, so tools can read claim
// tokens from either server.
"use strict";
exports.__esModule = true;

const express = require("express");
const store = require("../mock-events-store");

exports.default = function mockControlRoutes(rootDirectory, options) {
  const router = express.Router();

  router.get("/_mock/events", (req, res) => {
    const name = typeof req.query.name === "string" && req.query.name ? req.query.name : undefined;
    res.set("Cache-Control", "no-store");
    res.status(200).json({ events: store.list(name) });
  });

  router.post("/_mock/reset-events", (req, res) => {
    res.status(200).json({ cleared: store.clear() });
  });

  return router;
};
