// The check form shows only the fields of the chosen kind. A field with an
// error always stays visible.
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  const only = {
    target: ["http", "tcp", "tls", "dns"],
    expected_status: ["http"], keyword: ["http"], latency_threshold_ms: ["http"], follow_redirects: ["http"],
    dns_record: ["dns"], dns_expected: ["dns"], tls_warn_days: ["tls"],
  };
  const show = () => {
    for (const [name, kinds] of Object.entries(only)) {
      const input = document.getElementById(`id_${name}`);
      if (!input) continue;
      const box = input.closest(".mb-3");
      box.hidden = kind.value !== "" && !kinds.includes(kind.value) && !input.classList.contains("is-invalid");
    }
  };
  kind.addEventListener("change", show);
  show();
});
