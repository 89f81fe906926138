// Runs before the shell paints: the theme and density the user picked (or the system's), so the
// page never flashes the wrong colours. The module script (/shell/shell.js) takes over after.
(() => {
  const root = document.documentElement;
  let choice = "system";
  let density = "comfortable";
  try {
    choice = localStorage.getItem("buntime:theme") || "system";
    density = localStorage.getItem("buntime:density") || "comfortable";
  } catch {
    // storage disabled: the defaults
  }
  const dark =
    choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  root.dataset.theme = dark ? "dark" : "light";
  root.dataset.density = density === "compact" ? "compact" : "comfortable";
  root.style.colorScheme = root.dataset.theme;
})();
