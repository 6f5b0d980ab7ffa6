// The settings form: inputs rendered from the settings JSON Schema, kept in
// sync with a plain settings object (the model) that is sent on save.

import { hintFor, labelFor } from "./hints.js";
import { element, fieldId, getPath, setPath } from "./dom.js";

export class SettingsForm {
  constructor(schema, model) {
    this.schema = schema;
    this.model = model;
    this.sections = [];
    this.secret = null;
  }

  /** Render the part of the model at `path` into `container`, now and after changes. */
  mount(container, path) {
    this.sections.push({ container, path });
    this.renderSection({ container, path });
  }

  /** Replace the model, for example with the settings returned after a save. */
  replaceModel(model) {
    this.model = model;
    this.sections.forEach((section) => this.renderSection(section));
  }

  /** Replace the part of the model at `path` and render it again. */
  replaceValue(path, value) {
    setPath(this.model, path, value);
    this.rerender(path);
  }

  /** Return the settings to send: the model with the API key field's intent. */
  payload() {
    const settings = structuredClone(this.model);
    const section = settings.digitalriver || (settings.digitalriver = {});
    section.api_key = this.secret ? this.secret.value() : null;
    return settings;
  }

  renderSection(section) {
    const node = this.nodeAt(section.path);
    const value = getPath(this.model, section.path);
    section.container.replaceChildren(this.render(node, section.path, value, { bare: true }));
    this.refreshReferences();
  }

  rerender(path, focusPath) {
    const section = this.sections.find(
      (candidate) => path === candidate.path || path.startsWith(candidate.path + "."),
    );
    if (section) this.renderSection(section);
    if (focusPath) {
      const target = document.getElementById(fieldId(focusPath));
      if (target) target.focus();
    }
  }

  /** Return the resolved schema node of a model path. */
  nodeAt(path) {
    let node = this.resolve(this.schema);
    for (const part of path.split(".")) {
      node = this.resolve(/^\d+$/.test(part) ? node.items : node.properties[part]);
    }
    return node;
  }

  /** Follow $ref and turn `anyOf` with null into `nullable`, number-or-string into "decimal". */
  resolve(node) {
    let merged = { ...node };
    while (merged.$ref) {
      const { $ref, ...rest } = merged;
      merged = { ...this.schema.$defs[$ref.split("/").pop()], ...rest };
    }
    if (!merged.anyOf) return merged;

    const { anyOf, ...rest } = merged;
    const members = anyOf.map((member) => this.resolve(member));
    const present = members.filter((member) => member.type !== "null");
    const nullable = present.length < members.length;
    if (present.length === 1) return { ...present[0], ...rest, nullable };
    const number = present.find((member) => member.type === "number");
    return { ...rest, type: "decimal", minimum: number && number.minimum, nullable };
  }

  render(node, path, value, options = {}) {
    const hint = hintFor(path);
    if (hint.secret) return this.renderSecret(node, path, value);
    if (node.type === "object" && node.nullable) return this.renderOptional(node, path, value);
    if (node.type === "object") return this.renderObject(node, path, value || {}, options);
    if (node.type === "array" && hint.layout === "lines") return this.renderLines(node, path, value);
    if (node.type === "array" && hint.layout === "table") return this.renderTable(node, path, value);
    if (node.type === "array") return this.renderCards(node, path, value);
    return this.renderField(node, path, value, options);
  }

  renderObject(node, path, value, { bare }) {
    const hint = hintFor(path);
    const names = hint.order || Object.keys(node.properties);
    const children = names.map((name) =>
      this.render(this.resolve(node.properties[name]), `${path}.${name}`, value[name]),
    );
    const body = element("div", { className: "grid" }, children);
    if (bare) {
      return element("div", { dataset: { containerPath: path } }, [errorSlot(path), body]);
    }
    return element("fieldset", { className: "group", dataset: { containerPath: path } }, [
      element("legend", { text: labelFor(path, node) }),
      node.description ? element("p", { className: "hint", text: node.description }) : null,
      errorSlot(path),
      body,
    ]);
  }

  renderOptional(node, path, value) {
    const hint = hintFor(path);
    const toggle = element("input", { type: "checkbox", id: fieldId(path) + "-toggle" });
    toggle.checked = value != null;
    toggle.addEventListener("change", () => {
      this.replaceValue(path, toggle.checked ? this.defaultValue(node, path) : null);
      document.getElementById(toggle.id).focus();
    });
    const label = element("label", { htmlFor: toggle.id, text: hint.toggle || labelFor(path, node) });
    const parts = [element("div", { className: "field field-check" }, [toggle, label])];
    if (value != null) parts.push(this.renderObject(node, path, value, { bare: false }));
    return element("div", { dataset: { containerPath: path } }, [errorSlot(path), ...parts]);
  }

  renderCards(node, path, items = []) {
    const hint = hintFor(path);
    const cards = items.map((item, index) => {
      const itemPath = `${path}.${index}`;
      const title = `${hint.item} ${index + 1}${item && item.name ? `: ${item.name}` : ""}`;
      const remove = this.removeButton(path, index, `Remove ${title}`, "Remove");
      const body = this.renderObject(this.resolve(node.items), itemPath, item || {}, { bare: true });
      return element("fieldset", { className: "card", dataset: { containerPath: itemPath } }, [
        element("legend", { text: title, dataset: { legendFor: itemPath } }),
        body,
        element("div", { className: "actions" }, [remove]),
      ]);
    });
    const empty = items.length ? null : element("p", { className: "empty", text: "None yet." });
    return element("div", { className: "array", dataset: { containerPath: path } }, [
      errorSlot(path),
      ...cards,
      empty,
      this.addButton(node, path, items, hint.add),
    ]);
  }

  renderTable(node, path, rows = []) {
    const hint = hintFor(path);
    const itemNode = this.resolve(node.items);
    const columns = hintFor(`${path}.0`).order || Object.keys(itemNode.properties);
    const head = element("tr", {}, [
      ...columns.map((name) =>
        element("th", { scope: "col", text: labelFor(`${path}.0.${name}`, itemNode.properties[name]) }),
      ),
      element("th", { scope: "col" }, [element("span", { className: "visually-hidden", text: "Actions" })]),
    ]);
    const body = rows.map((row, index) => {
      const cells = columns.map((name) => {
        const cellPath = `${path}.${index}.${name}`;
        const field = this.renderField(this.resolve(itemNode.properties[name]), cellPath, (row || {})[name], {
          compact: `${labelFor(cellPath, itemNode.properties[name])}, row ${index + 1}`,
        });
        return element("td", {}, [field]);
      });
      const remove = this.removeButton(path, index, `Remove ${hint.item} in row ${index + 1}`, "Remove");
      return element("tr", { dataset: { containerPath: `${path}.${index}` } }, [
        ...cells,
        element("td", {}, [errorSlot(`${path}.${index}`), remove]),
      ]);
    });
    const table = element("table", {}, [element("thead", {}, [head]), element("tbody", {}, body)]);
    const notes = columns
      .map((name) => [labelFor(`${path}.0.${name}`, itemNode.properties[name]), itemNode.properties[name]])
      .filter(([, property]) => this.resolve(property).description)
      .map(([label, property]) => `${label}: ${this.resolve(property).description}`);
    return element("div", { className: "array", dataset: { containerPath: path } }, [
      element("h3", { text: hint.label || labelFor(path, node) }),
      node.description ? element("p", { className: "hint", text: node.description }) : null,
      errorSlot(path),
      rows.length
        ? element("div", { className: "table-wrap" }, [table])
        : element("p", { className: "empty", text: "No rows yet." }),
      notes.length ? element("p", { className: "hint", text: notes.join(" ") }) : null,
      this.addButton(node, path, rows, hint.add),
    ]);
  }

  renderLines(node, path, lines = []) {
    const hint = hintFor(path);
    const count = node.maxItems || 3;
    const inputs = [];
    const fields = Array.from({ length: count }, (_, index) => {
      const id = `${fieldId(path)}-${index}`;
      const input = element("input", { type: "text", id, value: lines[index] || "" });
      input.autocomplete = "off";
      input.setAttribute("aria-describedby", `${fieldId(path)}-error`);
      inputs.push(input);
      input.addEventListener("input", () => {
        setPath(this.model, path, inputs.map((item) => item.value.trim()).filter(Boolean));
      });
      const required = index < (node.minItems || 0);
      if (required) input.required = true;
      const label = `${hint.label} ${index + 1}${required ? "" : " (optional)"}`;
      return element("div", { className: "field" }, [element("label", { htmlFor: id, text: label }), input]);
    });
    inputs[0].id = fieldId(path);
    fields[0].querySelector("label").htmlFor = inputs[0].id;
    inputs[0].dataset.path = path;
    return element("div", { className: "lines", dataset: { containerPath: path } }, [errorSlot(path), ...fields]);
  }

  renderField(node, path, value, { compact } = {}) {
    const hint = hintFor(path);
    const id = fieldId(path);
    const control = this.control(node, path, value, hint);
    control.id = id;
    control.dataset.path = path;
    const describedBy = [];
    const parts = [];

    const label = element("label", { htmlFor: id, text: compact || labelFor(path, node) });
    if (compact) label.className = "visually-hidden";
    if (node.type === "boolean") parts.push(control, label);
    else parts.push(label, control);
    if (node.description && !compact) {
      parts.push(element("p", { className: "hint", id: `${id}-hint`, text: node.description }));
      describedBy.push(`${id}-hint`);
    }
    parts.push(errorSlot(path));
    describedBy.push(`${id}-error`);
    control.setAttribute("aria-describedby", describedBy.join(" "));

    control.addEventListener(node.type === "boolean" || control.tagName === "SELECT" ? "change" : "input", () => {
      setPath(this.model, path, readValue(control, node));
      if (/^distributors\.\d+\.(id|name)$/.test(path)) this.refreshReferences(path);
    });
    const className = node.type === "boolean" ? "field field-check" : "field";
    return element("div", { className, dataset: { fieldPath: path } }, parts);
  }

  control(node, path, value, hint) {
    if (hint.reference) return this.referenceSelect(node, value);
    if (node.type === "boolean") {
      const box = element("input", { type: "checkbox" });
      box.checked = value ?? node.default ?? false;
      return box;
    }
    const input = element("input", { type: inputType(node) });
    input.value = value == null ? "" : String(value);
    input.autocomplete = "off";
    if (node.type === "integer" || node.type === "number") {
      input.step = node.type === "integer" ? "1" : "any";
      const minimum = node.minimum ?? node.exclusiveMinimum;
      if (minimum !== undefined) input.min = String(minimum);
      if (node.maximum !== undefined) input.max = String(node.maximum);
    }
    if (node.type === "decimal") input.inputMode = "decimal";
    if (node.maxLength && node.type === "string") input.maxLength = node.maxLength;
    if (node.minLength && !node.nullable) input.required = true;
    if (node.default != null && node.type !== "string") input.placeholder = String(node.default);
    return input;
  }

  referenceSelect(node, value) {
    const select = element("select", { dataset: { reference: "distributors" } });
    select.dataset.nullable = node.nullable ? "true" : "false";
    select.dataset.value = value == null ? "" : value;
    return select;
  }

  /** Fill every distributor selector with the current distributor ids. */
  refreshReferences(changedPath) {
    const distributors = this.model.distributors || [];
    document.querySelectorAll("select[data-reference='distributors']").forEach((select) => {
      const current = select.options.length ? select.value : select.dataset.value;
      const ids = distributors.map((item) => (item && item.id ? item.id : "")).filter(Boolean);
      const options = [element("option", { value: "", text: select.dataset.nullable === "true" ? "(none)" : "Choose…" })];
      ids.forEach((id) => options.push(element("option", { value: id, text: nameOf(distributors, id) })));
      if (current && !ids.includes(current)) {
        options.push(element("option", { value: current, text: `${current} (not a distributor)` }));
      }
      select.replaceChildren(...options);
      select.value = current || "";
    });
    if (changedPath) {
      const itemPath = changedPath.split(".").slice(0, 2).join(".");
      const legend = document.querySelector(`[data-legend-for="${itemPath}"]`);
      const item = getPath(this.model, itemPath) || {};
      const index = Number(itemPath.split(".")[1]);
      const noun = hintFor("distributors").item;
      if (legend) legend.textContent = `${noun} ${index + 1}${item.name ? `: ${item.name}` : ""}`;
    }
  }

  renderSecret(node, path, info) {
    this.secret = new SecretField(path, node, info || {});
    return this.secret.element;
  }

  addButton(node, path, items, text) {
    const button = element("button", { type: "button", className: "secondary", text: text || "Add" });
    button.addEventListener("click", () => {
      const next = [...(items || []), this.defaultValue(this.resolve(node.items), `${path}.${items.length}`)];
      setPath(this.model, path, next);
      this.rerender(path, firstFieldPath(this, `${path}.${next.length - 1}`));
    });
    return button;
  }

  removeButton(path, index, label, text) {
    const button = element("button", { type: "button", className: "link danger", text });
    button.setAttribute("aria-label", label);
    button.addEventListener("click", () => {
      const items = [...getPath(this.model, path)];
      items.splice(index, 1);
      setPath(this.model, path, items);
      this.rerender(path);
      const add = document.querySelector(`[data-container-path="${path}"] > button.secondary:last-of-type`);
      if (add) add.focus();
    });
    return button;
  }

  /** Return a new value for a schema node: its default, or an empty value of its type. */
  defaultValue(node, path) {
    if (hintFor(path).today) return new Date().toISOString().slice(0, 10);
    if (node.default !== undefined) return structuredClone(node.default);
    if (node.type === "object") {
      const value = {};
      for (const [name, property] of Object.entries(node.properties)) {
        const child = this.defaultValue(this.resolve(property), `${path}.${name}`);
        if (child !== undefined) value[name] = child;
      }
      return value;
    }
    if (node.type === "array") return node.minItems ? [""] : [];
    if (node.type === "boolean") return false;
    if (node.nullable) return null;
    return "";
  }
}

/** The write-only API key: shows whether a key is stored, sends only a new one. */
class SecretField {
  constructor(path, node, info) {
    const id = fieldId(path);
    this.input = element("input", { type: "password", id, dataset: { path } });
    this.input.autocomplete = "new-password";
    this.input.spellcheck = false;
    const status = info.set
      ? `A key${info.last4 ? ` ending in …${info.last4}` : ""} is stored. Leave this blank to keep it.`
      : "No key is stored.";
    const notes = [status, node.description];
    if (info.overridden_by_environment) {
      notes.push("The DIGITALRIVER_API_KEY environment variable is set on the server and wins over this key.");
    }
    const hint = element("p", { className: "hint", id: `${id}-hint`, text: notes.join(" ") });
    this.input.setAttribute("aria-describedby", `${id}-hint ${id}-error`);

    const parts = [element("label", { htmlFor: id, text: labelFor(path, node) }), this.input, hint];
    this.clear = null;
    if (info.set) {
      this.clear = element("input", { type: "checkbox", id: `${id}-clear` });
      const label = element("label", { htmlFor: this.clear.id, text: "Remove the stored key" });
      parts.push(element("div", { className: "field field-check" }, [this.clear, label]));
    }
    parts.push(errorSlot(path));
    this.element = element("div", { className: "field field-wide", dataset: { fieldPath: path } }, parts);
  }

  /** Return what to send: a new key, `{clear: true}`, or null to keep the stored key. */
  value() {
    const typed = this.input.value.trim();
    if (typed) return typed;
    if (this.clear && this.clear.checked) return { clear: true };
    return null;
  }
}

function errorSlot(path) {
  return element("p", {
    className: "field-error",
    id: `${fieldId(path)}-error`,
    hidden: true,
    dataset: { errorFor: path },
  });
}

function inputType(node) {
  if (node.type === "integer" || node.type === "number") return "number";
  if (node.format === "date") return "date";
  if (node.format === "uri") return "url";
  return "text";
}

function readValue(control, node) {
  if (node.type === "boolean") return control.checked;
  const raw = control.value.trim();
  if (raw === "") {
    // A blank number is left out, so the server applies the schema's default.
    if (node.nullable) return null;
    if (node.type === "string" || node.type === "decimal") return "";
    return undefined;
  }
  if (node.type === "integer" || node.type === "number") {
    const number = Number(raw);
    return Number.isFinite(number) ? number : raw;
  }
  return raw;
}

function nameOf(distributors, id) {
  const item = distributors.find((candidate) => candidate && candidate.id === id);
  return item && item.name ? `${id} (${item.name})` : id;
}

function firstFieldPath(form, itemPath) {
  const node = form.nodeAt(itemPath);
  const order = hintFor(itemPath).order || Object.keys(node.properties || {});
  return order.length ? `${itemPath}.${order[0]}` : itemPath;
}
