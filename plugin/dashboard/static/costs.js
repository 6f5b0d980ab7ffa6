// Cost table import: read a CSV file, preview what it would change, then apply it to the form.

import { element } from "./dom.js";

export class CostImport {
  constructor({ api, form, trigger, input, preview, status }) {
    this.api = api;
    this.form = form;
    this.preview = preview;
    this.status = status;
    trigger.addEventListener("click", () => input.click());
    input.addEventListener("change", () => this.read(input));
  }

  async read(input) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    this.status.textContent = `Reading ${file.name}…`;
    const model = this.form.model;
    const body = {
      csv: await file.text(),
      table: (model.costs && model.costs.table) || [],
      distributors: (model.distributors || []).map((item) => ({ id: item.id, currency: item.currency })),
    };
    try {
      const result = await this.api.request("POST", "/costs/preview", body);
      this.status.textContent = "";
      if (result.valid) this.showChanges(file.name, result);
      else this.showProblems(file.name, result.problems);
    } catch (error) {
      this.status.textContent = `The import preview failed: ${error.message}`;
    }
  }

  showProblems(name, problems) {
    const items = problems.map((problem) => {
      const column = problem.column ? `, column ${problem.column}` : "";
      return element("li", { text: `Line ${problem.line}${column}: ${problem.message}` });
    });
    this.open([
      element("h3", { text: `${name} cannot be imported` }),
      element("p", { text: "Nothing was changed. Fix these lines and import the file again." }),
      element("ul", { className: "problems" }, items),
      this.button("Close", "secondary", () => this.close()),
    ]);
  }

  showChanges(name, result) {
    const counts = `${result.added.length} added, ${result.changed.length} changed, ${result.removed.length} removed, ${result.unchanged} unchanged`;
    this.open([
      element("h3", { text: `Preview of ${name}` }),
      element("p", { text: `${counts}. The file replaces the whole cost table.` }),
      changeTable("Added", result.added.map((row) => [row, null])),
      changeTable("Changed", result.changed.map((change) => [change.after, change.before])),
      changeTable("Removed", result.removed.map((row) => [row, null])),
      element("div", { className: "actions" }, [
        this.button("Apply to the form", "primary", () => this.apply(result.rows)),
        this.button("Cancel", "secondary", () => this.close()),
      ]),
    ]);
  }

  apply(rows) {
    this.form.replaceValue("costs.table", rows);
    this.close();
    this.status.textContent = `Imported ${rows.length} rows into the form. Save the settings to keep them.`;
  }

  open(children) {
    this.preview.replaceChildren(...children.filter(Boolean));
    this.preview.hidden = false;
    this.preview.focus();
  }

  close() {
    this.preview.hidden = true;
    this.preview.replaceChildren();
  }

  button(text, className, onClick) {
    const button = element("button", { type: "button", className, text });
    button.addEventListener("click", onClick);
    return button;
  }
}

function changeTable(title, pairs) {
  if (!pairs.length) return null;
  const head = ["Distributor", "SKU", "Effective from", "Unit cost"].map((text) => element("th", { scope: "col", text }));
  const rows = pairs.map(([row, before]) =>
    element("tr", {}, [
      element("td", { text: row.distributor }),
      element("td", { text: row.sku }),
      element("td", { text: row.effective_from }),
      element("td", { text: before ? `${before.cost} → ${row.cost}` : row.cost }),
    ]),
  );
  return element("div", { className: "table-wrap" }, [
    element("table", {}, [
      element("caption", { text: `${title} (${pairs.length})` }),
      element("thead", {}, [element("tr", {}, head)]),
      element("tbody", {}, rows),
    ]),
  ]);
}
