// A storefront's whole journey through the official @medusajs/medusa-js client, against a
// medusa-mock (or a real Medusa 1.20.11 that serves the same /_mock/events route).
//
//   node journey.mjs [BASE_URL]      (default http://127.0.0.1:9000)
//
// browse -> cart -> address -> shipping -> payment -> complete -> register -> claim -> confirm
// -> my orders -> return. Each step prints one line; any failure exits 1 with the answer.
import Medusa from "@medusajs/medusa-js"

const baseUrl = process.argv[2] || process.env.MEDUSA_URL || "http://127.0.0.1:9000"
// maxRetries > 0 makes the client send an Idempotency-Key with every POST, as storefronts do.
const medusa = new Medusa({ baseUrl, maxRetries: 1 })
const suffix = Date.now().toString(36) + Math.random().toString(36).slice(2, 6)
const guestEmail = `journey.${suffix}@example.com`
const password = "journey-secret"
let step = 0

async function run(name, fn) {
  step += 1
  try {
    const value = await fn()
    console.log(`ok ${step} - ${name}`)
    return value
  } catch (error) {
    const answer = error.response ? `${error.response.status} ${JSON.stringify(error.response.data)}` : error.stack
    console.log(`not ok ${step} - ${name}: ${answer}`)
    process.exit(1)
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message)
}

const { regions } = await run("list regions", () => medusa.regions.list())
// Whatever the store holds: a region offering the `manual` payment provider, with a country,
// where some product is priced and in stock (taxed regions first, as a storefront would meet them)
const candidates = regions
  .filter((r) => r.countries.length > 0 && r.payment_providers.some((p) => p.id === "manual"))
  .sort((a, b) => (b.tax_rate > 0) - (a.tax_rate > 0))
expect(candidates.length > 0, "a region with a country and the manual payment provider")
const inStock = (v) => v.calculated_price != null && (!v.manage_inventory || v.allow_backorder || v.inventory_quantity > 5)
let region, product, variant
for (const candidate of candidates) {
  const { products } = await run(`browse products in ${candidate.name}`, () =>
    medusa.products.list({ region_id: candidate.id, limit: 50 }))
  product = products.find((p) => !p.is_giftcard && p.variants.some(inStock))
  if (product) {
    region = candidate
    variant = product.variants.find(inStock)
    break
  }
}
expect(region, "a product priced and in stock in such a region")
const country = region.countries[0].iso_2
await run("open a product", () => medusa.products.retrieve(product.id))

let { cart } = await run("create a cart", () => medusa.carts.create({ region_id: region.id }))
;({ cart } = await run("add a line", () =>
  medusa.carts.lineItems.create(cart.id, { variant_id: variant.id, quantity: 2 })))
expect(cart.items.length === 1 && cart.items[0].quantity === 2, "the line is in the cart")
;({ cart } = await run("set email and address", () => medusa.carts.update(cart.id, {
  email: guestEmail,
  shipping_address: { first_name: "Jo", last_name: "Urney", address_1: "1 Test Way",
    city: "Testville", country_code: country, postal_code: "12345" },
})))
const { shipping_options } = await run("list shipping options", () =>
  medusa.shippingOptions.listCartOptions(cart.id))
expect(shipping_options.length > 0, "a shipping option for the cart")
;({ cart } = await run("choose shipping", () =>
  medusa.carts.addShippingMethod(cart.id, { option_id: shipping_options[0].id })))
;({ cart } = await run("create payment sessions", () => medusa.carts.createPaymentSessions(cart.id)))
;({ cart } = await run("select the manual provider", () =>
  medusa.carts.setPaymentSession(cart.id, { provider_id: "manual" })))
const done = await run("complete the cart", () => medusa.carts.complete(cart.id))
expect(done.type === "order", `an order (got ${done.type})`)
const order = done.data
expect(order.total === cart.total, `the order total ${order.total} is the cart total ${cart.total}`)

const memberEmail = `member.${suffix}@example.com`
await run("register", () => medusa.customers.create({
  email: memberEmail, password, first_name: "Mem", last_name: "Ber" }))
const { access_token } = await run("log in for a bearer token", () =>
  medusa.auth.getToken({ email: memberEmail, password }))
const auth = { Authorization: `Bearer ${access_token}` }
await run("claim the guest order", () =>
  medusa.orders.requestCustomerOrders({ order_ids: [order.id] }, auth))
const token = await run("read the claim token from the outbox", async () => {
  // a real Medusa hands events to subscribers after a short delay: poll for up to 15 s
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const response = await fetch(`${baseUrl}/_mock/events?name=order-update-token.created`)
    const { events } = await response.json()
    const mine = events.reverse().find((e) => e.data.orders.includes(order.id))
    if (mine) return mine.data.token
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error("no order-update-token.created event for the order")
})
await run("confirm the claim", () => medusa.orders.confirmRequest({ token }))
const { orders } = await run("list my orders", () => medusa.customers.listOrders({}, auth))
expect(orders.some((o) => o.id === order.id), "the claimed order is among mine")

const { return_reasons } = await run("list return reasons", () => medusa.returnReasons.list())
const reason = return_reasons.find((r) => r.return_reason_children.length === 0)
const returned = await run("request a return", () => medusa.returns.create({
  order_id: order.id,
  items: [{ item_id: order.items[0].id, quantity: 1, reason_id: reason && reason.id }],
}))
expect(returned.return.status === "requested", "the return is requested")
console.log(`1..${step}`)
