// Records every "order-update-token.created" event for GET /_mock/events.
//
// Medusa 1.20 loads dist/subscribers/*.js with its new-style loader: default
// export = handler, `config.event` = the event name. Without __esModule the
// file would also go through the legacy loader, which calls
// `new default(...)`, and boot fails with "loaded is not a constructor".
"use strict";
const s = require("../mock-events-store").subscriberFor("order-update-token.created");

exports.__esModule = true;
exports.default = s.default;
exports.config = s.config;
