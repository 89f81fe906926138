// The first-run form: posts the setup token and the new administrator to the auth plugin, which
// signs them in; then the shell opens.
const form = document.getElementById("setup");
const error = document.getElementById("setup-error");
form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  const fields = Object.fromEntries(new FormData(form));
  try {
    const response = await fetch(`${form.dataset.auth}/setup`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(fields),
    });
    if (response.ok) {
      location.assign("/");
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = body?.error?.message ?? `setup failed (HTTP ${response.status})`;
  } catch {
    error.textContent = "the kernel did not answer; try again";
  }
});
