// Medusa v1 project configuration, written by scripts/real-medusa.
// Every value that changes between runs comes from the environment that the
// script (or the launcher it starts) passes in; the defaults match the mock.
const env = process.env;

const ORIGINS = "http://localhost:8000,http://localhost:7001";

module.exports = {
  projectConfig: {
    database_url: env.DATABASE_URL || "postgres://medusa@127.0.0.1:5432/medusa",
    database_type: "postgres",
    store_cors: env.STORE_CORS || ORIGINS,
    admin_cors: env.ADMIN_CORS || ORIGINS,
    jwt_secret: env.JWT_SECRET || "supersecret",
    cookie_secret: env.COOKIE_SECRET || "supersecret",
    // no redis_url: Medusa falls back to a fake in-process redis
  },
  plugins: ["medusa-fulfillment-manual", "medusa-payment-manual"],
  modules: {
    eventBus: { resolve: "@medusajs/event-bus-local" },
    cacheService: { resolve: "@medusajs/cache-inmemory" },
  },
  featureFlags: {},
};
