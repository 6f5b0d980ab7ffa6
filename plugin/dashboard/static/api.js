// Calls to the dashboard API with the Saleor app SDK's headers.

import { saveBlob } from "./dom.js";

/** An error response of the API: the HTTP status, its message and field problems. */
export class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

export class Api {
  constructor(base, bridge) {
    this.base = base;
    this.bridge = bridge;
  }

  headers(extra = {}) {
    return {
      "Authorization-Bearer": this.bridge.token || "",
      "Saleor-Api-Url": this.bridge.saleorApiUrl,
      ...extra,
    };
  }

  /** Send a request and return the JSON response body; throw ApiError for an error status. */
  async request(method, path, body) {
    const init = { method, headers: this.headers({ Accept: "application/json" }), cache: "no-store", credentials: "omit" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await this.fetch(path, init);
    const data = await response.json().catch(() => null);
    if (!response.ok) throw errorOf(response, data);
    return data;
  }

  /** Download a file from the API and save it under `filename`. */
  async download(path, filename) {
    const response = await this.fetch(path, { headers: this.headers(), cache: "no-store", credentials: "omit" });
    if (!response.ok) throw errorOf(response, await response.json().catch(() => null));
    saveBlob(await response.blob(), filename);
  }

  async fetch(path, init) {
    try {
      return await window.fetch(this.base + path, init);
    } catch (error) {
      throw new ApiError(0, `The request to the app failed (${error.message}). Check your connection and try again.`);
    }
  }
}

function errorOf(response, data) {
  const error = data && data.error ? data.error : {};
  const message = error.message || `The app responded with HTTP ${response.status}.`;
  return new ApiError(response.status, message, error.fields || []);
}
