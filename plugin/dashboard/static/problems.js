// Validation problems: each message next to its field, and a linked summary.

import { element, fieldId } from "./dom.js";

export class ProblemList {
  constructor(summary) {
    this.summary = summary;
  }

  /** Remove every message shown, in the fields and in the summary. */
  clear() {
    document.querySelectorAll("[data-error-for]").forEach((slot) => {
      slot.hidden = true;
      slot.textContent = "";
    });
    document.querySelectorAll("[aria-invalid='true']").forEach((control) => control.removeAttribute("aria-invalid"));
    this.summary.hidden = true;
    this.summary.replaceChildren();
  }

  /** Show `{path, message}` problems next to their fields and list them in the summary. */
  show(problems, heading) {
    const items = problems.map((problem) => this.place(problem));
    this.summary.replaceChildren(
      element("h2", { text: heading }),
      element("ul", {}, items.map((item) => element("li", {}, [item]))),
    );
    this.summary.hidden = false;
    this.summary.focus();
  }

  place({ path, message }) {
    const slot = slotFor(path);
    const control = document.getElementById(fieldId(path));
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
      slot.hidden = false;
    }
    if (control) control.setAttribute("aria-invalid", "true");

    const target = control || (slot && slot.parentElement);
    const text = `${describe(path, control)}: ${message}`;
    if (!target) return element("span", { text });
    const link = element("a", { href: `#${target.id || fieldId(path)}`, text });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      if (!target.hasAttribute("tabindex") && !control) target.tabIndex = -1;
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
    return link;
  }
}

function slotFor(path) {
  const parts = path ? path.split(".") : [];
  while (parts.length) {
    const slot = document.querySelector(`[data-error-for="${CSS.escape(parts.join("."))}"]`);
    if (slot) return slot;
    parts.pop();
  }
  return null;
}

function describe(path, control) {
  const label = control && control.labels && control.labels[0];
  const name = label ? label.textContent : "";
  return name ? `${name} (${path})` : path || "Settings";
}
