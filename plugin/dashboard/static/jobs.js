// Recent fulfillments: the latest jobs of this Saleor, with a retry for failed ones.

import { element } from "./dom.js";

export class JobList {
  constructor({ api, body, status }) {
    this.api = api;
    this.body = body;
    this.status = status;
  }

  async load() {
    try {
      const { jobs } = await this.api.request("GET", "/jobs?limit=50");
      this.render(jobs);
    } catch (error) {
      this.status.textContent = `The recent fulfillments could not be loaded: ${error.message}`;
    }
  }

  render(jobs) {
    if (!jobs.length) {
      const cell = element("td", { colSpan: 7, className: "empty", text: "No fulfillments have been reported yet." });
      this.body.replaceChildren(element("tr", {}, [cell]));
      return;
    }
    this.body.replaceChildren(...jobs.map((job) => this.row(job)));
  }

  row(job) {
    const created = new Date(job.created_at).toLocaleString();
    const ids = job.dr_fulfillment_ids.length ? job.dr_fulfillment_ids.join(", ") : "—";
    const action = job.status === "failed" ? this.retryButton(job) : null;
    return element("tr", {}, [
      element("td", {}, [element("time", { dateTime: job.created_at, text: created })]),
      element("td", { text: `#${job.order_number}` }),
      element("td", { className: "mono", text: job.fulfillment_id }),
      element("td", {}, [element("span", { className: `badge badge-${job.status}`, text: job.status })]),
      element("td", { className: "mono", text: ids }),
      element("td", { className: "error-text", text: job.last_error || "" }),
      element("td", {}, [action]),
    ]);
  }

  retryButton(job) {
    const button = element("button", { type: "button", className: "secondary", text: "Retry" });
    button.setAttribute("aria-label", `Retry order #${job.order_number}, fulfillment ${job.fulfillment_id}`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await this.api.request("POST", `/jobs/${job.id}/retry`);
        this.status.textContent = `Order #${job.order_number} is queued again.`;
        await this.load();
      } catch (error) {
        button.disabled = false;
        this.status.textContent = `The retry failed: ${error.message}`;
      }
    });
    return button;
  }
}
