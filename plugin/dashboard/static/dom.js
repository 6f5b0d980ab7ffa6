// Small DOM and object-path helpers shared by the page's modules.

/**
 * Create an element. `props` sets properties (`text` sets textContent, `dataset`
 * copies data attributes); null children are skipped.
 */
export function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node[name] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** Return the element id of the input for a model path. */
export function fieldId(path) {
  return "field-" + path.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** Return the value at a dotted path such as "distributors.0.id", or undefined. */
export function getPath(object, path) {
  return path.split(".").reduce((value, part) => (value == null ? undefined : value[part]), object);
}

/** Set the value at a dotted path, creating objects on the way; undefined deletes it. */
export function setPath(object, path, value) {
  const parts = path.split(".");
  let target = object;
  parts.slice(0, -1).forEach((part, index) => {
    if (target[part] == null || typeof target[part] !== "object") {
      target[part] = /^\d+$/.test(parts[index + 1]) ? [] : {};
    }
    target = target[part];
  });
  const last = parts[parts.length - 1];
  if (value === undefined) delete target[last];
  else target[last] = value;
}

/** Save a Blob as a file with the given name. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = element("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
