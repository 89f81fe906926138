/**
 * The API page (`/shell/api-reference`): the kernel's OpenAPI document (`/_/api/openapi.json`,
 * same origin) made browsable: operations grouped by tag (the plugin or area serving them), each
 * with its method, path, summary, parameters and request and response schemas, and a search box.
 * Everything from the document is rendered as text.
 */
import { type Child, el } from "./dom.ts";
import { groupOperations, matches, type OperationView, type TagGroup } from "./openapi-model.ts";

/** Where the document is read from. */
export const OPENAPI_PATH = "/_/api/openapi.json";

/** A schema as indented JSON text. */
function schemaBlock(schema: unknown): HTMLElement {
  return el(
    "pre",
    { class: "schema" },
    schema === undefined ? "(no schema)" : JSON.stringify(schema, null, 2),
  );
}

function parametersTable(operation: OperationView): HTMLElement | false {
  if (operation.parameters.length === 0) return false;
  return el(
    "table",
    { class: "plugins params" },
    el(
      "thead",
      {},
      el("tr", {}, ...["name", "in", "required", "type", "description"].map((h) => el("th", {}, h))),
    ),
    el(
      "tbody",
      {},
      ...operation.parameters.map((param) => {
        const type = (param.schema as { type?: unknown } | undefined)?.type;
        return el(
          "tr",
          {},
          el("td", {}, el("code", {}, param.name)),
          el("td", {}, param.in),
          el("td", {}, param.required ? "yes" : "no"),
          el("td", {}, typeof type === "string" ? type : ""),
          el("td", {}, param.description),
        );
      }),
    ),
  );
}

function operationBlock(operation: OperationView): HTMLElement {
  return el(
    "details",
    { class: "operation", "data-method": operation.method, "data-path": operation.path },
    el(
      "summary",
      {},
      el("span", { class: `method ${operation.method.toLowerCase()}` }, operation.method),
      " ",
      el("code", { class: "path" }, operation.path),
      " ",
      el("span", { class: "op-summary" }, operation.summary),
    ),
    operation.description && el("p", { class: "description" }, operation.description),
    parametersTable(operation),
    operation.requestBody.length > 0 &&
      el(
        "div",
        { class: "request" },
        el("h4", {}, "Request body"),
        ...operation.requestBody.flatMap((body) => [
          el("p", {}, el("code", {}, body.type)),
          schemaBlock(body.schema),
        ]),
      ),
    el(
      "div",
      { class: "responses" },
      el("h4", {}, "Responses"),
      ...operation.responses.map((response) =>
        el(
          "div",
          { class: "response", "data-status": response.status },
          el(
            "p",
            {},
            el("strong", {}, response.status),
            response.description ? ` ${response.description}` : "",
          ),
          ...response.schemas.flatMap((body) => [
            el("p", {}, el("code", {}, body.type)),
            schemaBlock(body.schema),
          ]),
        ),
      ),
    ),
  );
}

function groupBlock(group: TagGroup): { element: HTMLElement; operations: [OperationView, HTMLElement][] } {
  const operations = group.operations.map(
    (operation) => [operation, operationBlock(operation)] as [OperationView, HTMLElement],
  );
  const element = el(
    "section",
    { class: "api-tag", "data-tag": group.tag },
    el("h2", {}, group.tag),
    group.description && el("p", { class: "description" }, group.description),
    ...operations.map(([, block]) => block),
  );
  return { element, operations };
}

/** Shows `doc` in `section` (after its heading), with a search box that filters the operations. */
export function renderApiReference(section: HTMLElement, doc: unknown): void {
  const heading = section.querySelector("h1") ?? el("h1", {}, "API");
  const info = (doc as { info?: { title?: unknown; version?: unknown; description?: unknown } }).info ?? {};
  const groups = groupOperations(doc).map(groupBlock);
  const total = groups.reduce((sum, group) => sum + group.operations.length, 0);
  const count = el("span", { id: "api-count" });
  const search = el("input", {
    type: "search",
    id: "api-search",
    placeholder: "Search paths, methods, summaries…",
    "aria-label": "Search the API",
  });
  const filter = () => {
    let shown = 0;
    for (const group of groups) {
      let any = false;
      for (const [operation, block] of group.operations) {
        const hit = matches(operation, search.value);
        block.hidden = !hit;
        any ||= hit;
        if (hit) shown++;
      }
      group.element.hidden = !any;
    }
    count.textContent = `${shown} of ${total} operation${total === 1 ? "" : "s"}`;
  };
  search.addEventListener("input", filter);
  const parts: Child[] = [
    heading,
    el(
      "p",
      { class: "health good", id: "api-summary" },
      `${typeof info.title === "string" ? info.title : "API"}${typeof info.version === "string" ? ` ${info.version}` : ""}: `,
      el("a", { href: OPENAPI_PATH, target: "_blank" }, OPENAPI_PATH),
    ),
    typeof info.description === "string" && el("p", { class: "description" }, info.description),
    el("p", { class: "api-search" }, search, " ", count),
    ...(total === 0
      ? [el("p", { class: "empty" }, "The document lists no operations.")]
      : groups.map((group) => group.element)),
  ];
  section.replaceChildren(
    ...parts.filter((part): part is Node | string => part !== false && part !== undefined),
  );
  filter();
}

/** Reads the document once and shows it; a failure shows what the kernel answered. */
export async function followApiReference(section: HTMLElement, signal: AbortSignal): Promise<void> {
  const heading = section.querySelector("h1") ?? el("h1", {}, "API");
  try {
    const response = await fetch(OPENAPI_PATH, { signal, headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`${OPENAPI_PATH} answered ${response.status}`);
    const doc = (await response.json()) as unknown;
    if (!signal.aborted) renderApiReference(section, doc);
  } catch (error) {
    if (signal.aborted) return;
    section.replaceChildren(
      heading,
      el(
        "p",
        { class: "notice", id: "api-error" },
        `Could not read the API document: ${error instanceof Error ? error.message : String(error)}.`,
      ),
    );
  }
}
