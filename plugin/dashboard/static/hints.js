// Labels and layout of the settings form, keyed by path with "*" for list indexes.
// The JSON Schema supplies types, limits, defaults and help text. These hints
// add what a schema cannot express: friendly labels, field order and layout.

const HINTS = {
  digitalriver: {
    order: [
      "api_key",
      "base_url",
      "api_version",
      "requests_per_second",
      "connect_timeout",
      "read_timeout",
      "max_attempts",
      "max_retry_seconds",
      "max_retry_after_seconds",
    ],
  },
  "digitalriver.api_key": { label: "API key", secret: true },
  "digitalriver.base_url": { label: "Base URL" },
  "digitalriver.api_version": { label: "API version" },
  "digitalriver.requests_per_second": { label: "Rate limit (requests per second)" },
  "digitalriver.connect_timeout": { label: "Connect timeout (seconds)" },
  "digitalriver.read_timeout": { label: "Read timeout (seconds)" },
  "digitalriver.max_attempts": { label: "Attempts per request" },
  "digitalriver.max_retry_seconds": { label: "Retry time budget (seconds)" },
  "digitalriver.max_retry_after_seconds": { label: "Longest Retry-After honoured (seconds)" },

  distributors: { layout: "cards", item: "Distributor", add: "Add distributor" },
  "distributors.*": {
    order: ["id", "name", "currency", "remit_shipping", "shipping_cost", "address"],
  },
  "distributors.*.id": { label: "Distributor ID (subfulfillerId)" },
  "distributors.*.name": { label: "Name" },
  "distributors.*.currency": { label: "Payout currency" },
  "distributors.*.remit_shipping": { label: "Shipping costs are remitted to this distributor" },
  "distributors.*.shipping_cost": { label: "Shipping cost per shipment" },
  "distributors.*.address": {
    label: "Address",
    order: ["lines", "city", "region", "postal_code", "country"],
  },
  "distributors.*.address.lines": { layout: "lines", label: "Address line" },
  "distributors.*.address.postal_code": { label: "Postal code" },

  routing: { order: ["by_sku", "by_warehouse", "default_distributor"] },
  "routing.by_sku": { layout: "table", label: "By SKU", item: "SKU rule", add: "Add SKU rule" },
  "routing.by_sku.*": { order: ["sku", "distributor"] },
  "routing.by_sku.*.sku": { label: "SKU" },
  "routing.by_sku.*.distributor": { reference: "distributors" },
  "routing.by_warehouse": {
    layout: "table",
    label: "By warehouse",
    item: "warehouse rule",
    add: "Add warehouse rule",
  },
  "routing.by_warehouse.*": { order: ["warehouse", "distributor"] },
  "routing.by_warehouse.*.warehouse": { label: "Warehouse (slug or ID)" },
  "routing.by_warehouse.*.distributor": { reference: "distributors" },
  "routing.default_distributor": { label: "Default distributor", reference: "distributors" },

  "costs.table": { layout: "table", label: "Unit costs", item: "cost", add: "Add cost row" },
  "costs.table.*": { order: ["distributor", "sku", "cost", "effective_from"] },
  "costs.table.*.distributor": { reference: "distributors" },
  "costs.table.*.sku": { label: "SKU" },
  "costs.table.*.cost": { label: "Unit cost" },
  "costs.table.*.effective_from": { label: "Effective from", today: true },
  "costs.metadata": {
    label: "Unit cost metadata key",
    toggle: "Read unit costs from a metadata key when the table has no cost",
  },

  metadata: { order: ["order_id", "item_id", "shipping_cost"] },
  "metadata.order_id": { label: "Digital River order ID" },
  "metadata.item_id": { label: "Digital River line item ID" },
  "metadata.shipping_cost": { label: "Shipping cost" },
};

// Labels of fields that mean the same wherever they appear.
const NAME_LABELS = {
  key: "Metadata key",
  private: "Private metadata",
  distributor: "Distributor",
  city: "City",
  region: "Region",
  country: "Country",
};

/** Return the generic form of a path: list indexes become "*". */
export function genericPath(path) {
  return path
    .split(".")
    .map((part) => (/^\d+$/.test(part) ? "*" : part))
    .join(".");
}

/** Return the hints of a path, or an empty object. */
export function hintFor(path) {
  return HINTS[genericPath(path)] || {};
}

/** Return the label of a field: the hint's, a shared one, or the schema title. */
export function labelFor(path, node) {
  const name = path.split(".").pop();
  return hintFor(path).label || NAME_LABELS[name] || node.title || name;
}
