// The app's side of the Saleor dashboard's AppBridge protocol (app-sdk, version 1).
//
// The dashboard opens the page with ?id=&saleorApiUrl=&domain=&theme=&locale=
// and posts it messages: "handshake" and later "tokenRefresh" carry the user
// token, "theme" switches between light and dark. A message counts only when
// it comes from the parent window. When the server lists dashboard origins,
// it must also come from one of them. Without that list, it must come from
// the origin of document.referrer when the browser sent one, which is the
// check app-sdk makes.

export class DashboardBridge {
  constructor({ dashboardOrigins = [] } = {}) {
    const params = new URL(window.location.href).searchParams;
    this.appId = params.get("id") || "";
    this.saleorApiUrl = params.get("saleorApiUrl") || "";
    this.domain = params.get("domain") || "";
    this.locale = params.get("locale") || "en";
    this.token = null;
    this.origins = dashboardOrigins;
    this.referrerOrigin = document.referrer ? new URL(document.referrer).origin : null;
    this.listeners = { token: [], theme: [] };
    applyTheme(params.get("theme"));
  }

  /** Whether the page runs inside a frame, as it does in the dashboard. */
  get embedded() {
    return window.parent !== window;
  }

  /** Call `callback(token, isFirst)` whenever the dashboard sends a token. */
  onToken(callback) {
    this.listeners.token.push(callback);
  }

  /** Start listening, then tell the dashboard the page is ready. */
  start() {
    window.addEventListener("message", (event) => this.receive(event));
    if (this.embedded) {
      const action = { type: "notifyReady", payload: { actionId: actionId() } };
      window.parent.postMessage(action, this.targetOrigin());
    }
  }

  receive(event) {
    if (!this.embedded || event.source !== window.parent || !this.trusts(event.origin)) return;
    const message = event.data;
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    const payload = message.payload || {};

    if ((message.type === "handshake" || message.type === "tokenRefresh") && typeof payload.token === "string") {
      const first = this.token === null;
      this.token = payload.token;
      this.listeners.token.forEach((callback) => callback(payload.token, first));
    } else if (message.type === "theme") {
      applyTheme(payload.theme);
    }
  }

  trusts(origin) {
    if (this.origins.length) return this.origins.includes(origin);
    return this.referrerOrigin === null || origin === this.referrerOrigin;
  }

  targetOrigin() {
    // notifyReady carries nothing secret, so "*" is safe when the origin is unknown.
    if (this.origins.length === 1) return this.origins[0];
    return this.referrerOrigin || "*";
  }
}

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme === "dark" ? "dark" : "light";
}

function actionId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
