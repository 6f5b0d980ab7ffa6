// Entry point of the settings page: wait for the dashboard's token, then load and wire everything.

import { Api } from "./api.js";
import { DashboardBridge } from "./bridge.js";
import { CostImport } from "./costs.js";
import { SettingsForm } from "./form.js";
import { JobList } from "./jobs.js";
import { ProblemList } from "./problems.js";

const config = JSON.parse(document.getElementById("dashboard-config").textContent);
const bridge = new DashboardBridge(config);
const api = new Api(config.apiBase, bridge);
const status = document.getElementById("app-status");

if (!bridge.embedded) {
  status.textContent = "Open this page from the Apps section of the Saleor dashboard.";
} else if (!bridge.saleorApiUrl) {
  status.textContent = "The dashboard did not pass saleorApiUrl in the page address; update the Saleor dashboard.";
}
bridge.onToken((token, first) => {
  if (first) start().catch(showFailure);
});
bridge.start();

async function start() {
  status.textContent = "Loading the settings…";
  const [schema, body] = await Promise.all([api.request("GET", "/schema"), api.request("GET", "/settings")]);
  const form = new SettingsForm(schema, body.settings);
  document.querySelectorAll("[data-section]").forEach((container) => form.mount(container, container.dataset.section));

  const problems = new ProblemList(document.getElementById("error-summary"));
  wireSave(form, problems);
  wireConnectionTest(form, problems);
  wireDownloads();
  new CostImport({
    api,
    form,
    trigger: document.getElementById("cost-import-button"),
    input: document.getElementById("cost-import"),
    preview: document.getElementById("cost-preview"),
    status: document.getElementById("cost-status"),
  });
  const jobs = new JobList({
    api,
    body: document.getElementById("jobs-body"),
    status: document.getElementById("jobs-status"),
  });
  document.getElementById("jobs-refresh").addEventListener("click", () => jobs.load());

  document.getElementById("app").hidden = false;
  status.textContent =
    body.source === "defaults" ? "Showing the app's default settings: saving stores them for this Saleor." : "";
  if (body.fields.length) problems.show(body.fields, "The saved settings have problems; fix them and save.");
  await jobs.load();
}

function wireSave(form, problems) {
  const button = document.getElementById("save");
  const saveStatus = document.getElementById("save-status");
  document.getElementById("settings-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.clear();
    button.disabled = true;
    saveStatus.textContent = "Saving…";
    try {
      const body = await api.request("PUT", "/settings", form.payload());
      form.replaceModel(body.settings);
      saveStatus.textContent = "Saved. The settings apply from the next fulfillment.";
    } catch (error) {
      saveStatus.textContent = "Not saved.";
      problems.show(error.fields.length ? error.fields : [{ path: "", message: error.message }], error.message);
    } finally {
      button.disabled = false;
    }
  });
}

function wireConnectionTest(form, problems) {
  const button = document.getElementById("test-connection");
  const result = document.getElementById("connection-result");
  button.addEventListener("click", async () => {
    problems.clear();
    button.disabled = true;
    result.className = "result";
    result.textContent = "Checking the connection…";
    try {
      const check = await api.request("POST", "/test-connection", { digitalriver: form.payload().digitalriver });
      result.className = check.ok ? "result result-ok" : "result result-failed";
      result.textContent = `${check.ok ? "Connected" : "Failed"}: ${check.message}`;
    } catch (error) {
      result.className = "result result-failed";
      result.textContent = `Failed: ${error.message}`;
      if (error.fields.length) problems.show(error.fields, error.message);
    } finally {
      button.disabled = false;
    }
  });
}

function wireDownloads() {
  document.querySelectorAll("[data-download]").forEach((button) => {
    button.addEventListener("click", async () => {
      const note = document.getElementById(button.dataset.statusId);
      try {
        await api.download(button.dataset.download, button.dataset.filename);
        note.textContent = `Downloaded ${button.dataset.filename}.`;
      } catch (error) {
        note.textContent = `The download failed: ${error.message}`;
      }
    });
  });
}

function showFailure(error) {
  document.getElementById("app").hidden = true;
  status.classList.add("status-error");
  status.textContent =
    error.status === 401 || error.status === 403
      ? `The app could not verify your Saleor session, so nothing is shown. ${error.message}`
      : `The settings could not be loaded: ${error.message}`;
}
