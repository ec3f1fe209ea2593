// In-memory record of the events the mock-events subscribers see, shared by
// the subscribers (dist/subscribers/mock-events-*.js) and the custom route
// (dist/api/index.js). scripts/real-medusa copies this src/ folder to the
// project's dist/ (plain CommonJS, nothing to compile). Both require this
// file by the same absolute path, so they share one instance. Kept on
// globalThis as well, in case a loader ever evicts the module from require's
// cache.
"use strict";
exports.__esModule = true;

const fs = require("fs");

const KEY = Symbol.for("real-medusa.mock-events");
const MAX_EVENTS = 1000;

if (!globalThis[KEY]) globalThis[KEY] = [];
const events = globalThis[KEY];

function record(name, data) {
  const entry = { name, data, created_at: new Date().toISOString() };
  events.push(entry);
  if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
  const file = process.env.REAL_MEDUSA_EVENTS_FILE;
  if (file) {
    try {
      fs.appendFileSync(file, JSON.stringify(entry) + "\n");
    } catch (e) {
      // the in-memory list is the source of truth; the file is a debugging aid
    }
  }
  return entry;
}

function list(name) {
  return name ? events.filter((e) => e.name === name) : events.slice();
}

function clear() {
  const n = events.length;
  events.length = 0;
  return n;
}

// Build the exports of one subscriber file for one event. The local event bus
// calls handlers with the payload only (eventName arrives undefined), so each
// event gets its own file whose handler knows the name.
function subscriberFor(eventName) {
  const handler = async function realMedusaMockEvents({ data }) {
    record(eventName, data);
  };
  return {
    __esModule: true,
    default: handler,
    config: { event: eventName, context: { subscriberId: "real-medusa-mock-events:" + eventName } },
  };
}

exports.record = record;
exports.subscriberFor = subscriberFor;
exports.list = list;
exports.clear = clear;
